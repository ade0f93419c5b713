//! Executable headers: which format, OS and CPU a binary is for.
//!
//! This is what stops gox from running darwin/amd64 Go under Rosetta on Apple Silicon, or
//! installing an archive whose binaries are not for the platform it claims. The shim calls
//! [`read_header`] before every exec, so this module is std only, reads at most a few KiB
//! and allocates next to nothing. Every parser works on untrusted bytes: no panics, no
//! out-of-bounds reads, no allocation sized by the input.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use gox_core::Platform;

/// How much [`read_header`] reads first. ELF and thin Mach-O headers need 20 bytes, a
/// universal Mach-O slice table of [`MAX_FAT_SLICES`] 408; PE headers usually sit at
/// 0x80..0x200 and are re-read from further on otherwise. The buffer is on the stack of
/// every `go` run, where each 4 KiB page touched is a page fault: 1 KiB, not a page.
pub const HEADER_PREFIX_LEN: usize = 1024;

/// A universal Mach-O never has many slices (Apple ships at most a handful); Java class
/// files share the 0xCAFEBABE magic and their version (≥ 45) lands where the slice count
/// is, so a small limit tells them apart, as file(1) does.
const MAX_FAT_SLICES: u32 = 20;

/// `PE\0\0` followed by the 20-byte COFF file header.
const PE_HEADER_LEN: usize = 24;

/// Executable container formats Go produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Elf,
    MachO,
    Pe,
}

impl Format {
    /// The indefinite article for the format's name: "an" ELF, "a" Mach-O, "a" PE.
    pub fn article(self) -> &'static str {
        match self {
            Format::Elf => "an",
            Format::MachO | Format::Pe => "a",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Elf => "ELF",
            Format::MachO => "Mach-O",
            Format::Pe => "PE",
        })
    }
}

/// What an executable header says about the binary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BinaryInfo {
    pub format: Format,
    /// GOOS the binary is for, as far as the header tells: `darwin` for Mach-O, `windows`
    /// for PE; for ELF the OS ABI byte: 0 (System V, what Go writes for linux, android,
    /// dragonfly, illumos and solaris) and 3 (GNU) read as `linux`, 9 as `freebsd`, 2 as
    /// `netbsd`, 12 as `openbsd`, 6 as `solaris`; anything else is `None`.
    pub os: Option<&'static str>,
    /// GOARCH names: one, or one per recognised slice of a universal Mach-O. Empty when
    /// the CPU is not one Go targets; [`BinaryInfo::cpu`] then says what was seen.
    pub archs: Vec<&'static str>,
    /// Human description of the CPU field(s), for errors: `amd64 (x86-64, ELF e_machine 62)`,
    /// `arm64 (Mach-O cputype 0x0100000c)`, `universal (x86_64 + arm64)`.
    pub cpu: String,
}

/// ELF OSes for which Go writes the System V OS ABI (0): a binary labelled so may be for
/// any of them.
const SYSV_ELF_OSES: &[&str] = &["linux", "android", "dragonfly", "illumos", "solaris"];

impl BinaryInfo {
    /// True when the host's OS loads this format and its CPU runs the code without
    /// emulation (no Rosetta, no qemu-user, no Windows-on-Arm x64 emulation). A universal
    /// Mach-O qualifies when it has a slice for the host's CPU.
    pub fn runs_natively_on(&self, host: &Platform) -> bool {
        self.matches_os(host.os()) && self.has_arch(host.arch())
    }

    /// True when one of the binary's architectures is `arch` (a GOARCH name).
    pub fn has_arch(&self, arch: &str) -> bool {
        self.archs.contains(&arch)
    }

    /// True when the header is compatible with GOOS `goos`. ELF labelled System V is
    /// accepted for every OS Go labels that way (see [`BinaryInfo::os`]).
    pub fn matches_os(&self, goos: &str) -> bool {
        match (self.format, self.os) {
            (Format::MachO, _) => matches!(goos, "darwin" | "ios"),
            (Format::Pe, _) => goos == "windows",
            (Format::Elf, Some("linux")) => SYSV_ELF_OSES.contains(&goos),
            (Format::Elf, Some("solaris")) => matches!(goos, "solaris" | "illumos"),
            (Format::Elf, Some(os)) => os == goos,
            (Format::Elf, None) => false,
        }
    }
}

impl fmt::Display for BinaryInfo {
    /// `ELF executable for linux, amd64 (x86-64, ELF e_machine 62)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let os = self.os.unwrap_or("an unknown OS");
        write!(f, "{} executable for {os}, {}", self.format, self.cpu)
    }
}

/// Why a header could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HeaderError {
    #[error("cannot read {}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    /// The bytes are not an executable gox can run; `what` says what they look like.
    #[error("{}not an executable: {what}", InFile(.path.as_deref()))]
    NotExecutable { path: Option<PathBuf>, what: String },
    /// The input ends inside the header. From [`parse_header`] this means "read more";
    /// from [`read_header`] the file itself is too short.
    #[error("{}the data ends inside the executable header (truncated file?)", InFile(.path.as_deref()))]
    Truncated { path: Option<PathBuf> },
}

/// `"<path>: "` when the path is known, nothing otherwise.
struct InFile<'a>(Option<&'a Path>);

impl fmt::Display for InFile<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(path) => write!(f, "{}: ", path.display()),
            None => Ok(()),
        }
    }
}

fn not_executable(what: impl Into<String>) -> HeaderError {
    HeaderError::NotExecutable {
        path: None,
        what: what.into(),
    }
}

const TRUNCATED: HeaderError = HeaderError::Truncated { path: None };

/// Parses the header at the start of `bytes` (a prefix of the file; the first
/// [`HEADER_PREFIX_LEN`] bytes are enough except for PE files whose PE header lies
/// further, where this returns [`HeaderError::Truncated`] and [`read_header`] reads on).
pub fn parse_header(bytes: &[u8]) -> Result<BinaryInfo, HeaderError> {
    let Some(magic) = u32_at(bytes, 0, Endian::Big) else {
        return Err(short_input(bytes));
    };
    match magic {
        0x7f45_4c46 => parse_elf(bytes),
        0xfeed_face | 0xfeed_facf => parse_macho(bytes, Endian::Big),
        0xcefa_edfe | 0xcffa_edfe => parse_macho(bytes, Endian::Little),
        0xcafe_babe | 0xcafe_babf => parse_fat(bytes, magic == 0xcafe_babf),
        _ if bytes.starts_with(b"MZ") => parse_pe(bytes),
        _ => Err(not_executable(describe_unknown(bytes))),
    }
}

/// Reads and parses the header of the file at `path` (at most [`HEADER_PREFIX_LEN`]
/// bytes, plus the PE header wherever the MZ stub points).
pub fn read_header(path: &Path) -> Result<BinaryInfo, HeaderError> {
    let io_error = |source| HeaderError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io_error)?;
    let mut prefix = [0u8; HEADER_PREFIX_LEN];
    let len = read_up_to(&mut file, &mut prefix).map_err(io_error)?;
    let prefix = prefix.get(..len).unwrap_or_default();
    let parsed = match parse_header(prefix) {
        Err(HeaderError::Truncated { .. }) if len == HEADER_PREFIX_LEN => {
            read_pe_header_at(&mut file, prefix).map_err(io_error)?
        }
        Err(HeaderError::Truncated { .. }) if len == 0 => Err(not_executable("empty file")),
        other => other,
    };
    parsed.map_err(|err| err.in_file(path))
}

impl HeaderError {
    fn in_file(self, file: &Path) -> Self {
        match self {
            HeaderError::NotExecutable { what, .. } => HeaderError::NotExecutable {
                path: Some(file.to_path_buf()),
                what,
            },
            HeaderError::Truncated { .. } => HeaderError::Truncated {
                path: Some(file.to_path_buf()),
            },
            io @ HeaderError::Io { .. } => io,
        }
    }
}

/// Only a PE header can lie beyond the prefix: the MZ stub says where.
fn read_pe_header_at(
    file: &mut File,
    prefix: &[u8],
) -> io::Result<Result<BinaryInfo, HeaderError>> {
    let Some(offset) = pe_header_offset(prefix) else {
        return Ok(Err(TRUNCATED));
    };
    file.seek(SeekFrom::Start(offset.into()))?;
    let mut header = [0u8; PE_HEADER_LEN];
    let len = read_up_to(file, &mut header)?;
    Ok(parse_pe_header(header.get(..len).unwrap_or_default()))
}

/// Fills `buf` as far as the reader goes; returns how many bytes were read.
pub(crate) fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..).filter(|rest| !rest.is_empty()) {
        match reader.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

/// Fewer than 4 bytes: a prefix of some magic means "read more", anything else is not
/// an executable.
fn short_input(bytes: &[u8]) -> HeaderError {
    const MAGICS: &[&[u8]] = &[
        b"\x7fELF",
        b"\xfe\xed\xfa",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba",
        b"MZ",
    ];
    if MAGICS
        .iter()
        .any(|magic| magic.starts_with(bytes) || bytes.starts_with(magic))
    {
        TRUNCATED
    } else {
        not_executable(describe_unknown(bytes))
    }
}

#[derive(Clone, Copy)]
enum Endian {
    Little,
    Big,
}

fn bytes_at<const N: usize>(bytes: &[u8], offset: usize) -> Option<[u8; N]> {
    bytes.get(offset..offset.checked_add(N)?)?.try_into().ok()
}

fn u16_at(bytes: &[u8], offset: usize, endian: Endian) -> Option<u16> {
    let raw = bytes_at(bytes, offset)?;
    Some(match endian {
        Endian::Little => u16::from_le_bytes(raw),
        Endian::Big => u16::from_be_bytes(raw),
    })
}

fn u32_at(bytes: &[u8], offset: usize, endian: Endian) -> Option<u32> {
    let raw = bytes_at(bytes, offset)?;
    Some(match endian {
        Endian::Little => u32::from_le_bytes(raw),
        Endian::Big => u32::from_be_bytes(raw),
    })
}

// ---------------------------------------------------------------------------------- ELF

fn parse_elf(bytes: &[u8]) -> Result<BinaryInfo, HeaderError> {
    // e_ident (16 bytes), e_type (2), e_machine (2).
    let ident: [u8; 16] = bytes_at(bytes, 0).ok_or(TRUNCATED)?;
    let bits64 = match ident[4] {
        1 => false,
        2 => true,
        class => {
            return Err(not_executable(format!(
                "ELF file with invalid class {class}"
            )));
        }
    };
    let endian = match ident[5] {
        1 => Endian::Little,
        2 => Endian::Big,
        data => {
            return Err(not_executable(format!(
                "ELF file with invalid byte order {data}"
            )));
        }
    };
    let e_type = u16_at(bytes, 16, endian).ok_or(TRUNCATED)?;
    let machine = u16_at(bytes, 18, endian).ok_or(TRUNCATED)?;
    check_elf_type(e_type)?;
    let (arch, name) = elf_machine(machine, bits64, matches!(endian, Endian::Big));
    let cpu = match arch {
        Some(arch) => format!("{arch} ({name}, ELF e_machine {machine})"),
        None => format!("{name} (ELF e_machine {machine})"),
    };
    Ok(BinaryInfo {
        format: Format::Elf,
        os: elf_os(ident[7]),
        archs: arch.into_iter().collect(),
        cpu,
    })
}

/// Only executables (ET_EXEC) and position-independent executables (ET_DYN) can run.
fn check_elf_type(e_type: u16) -> Result<(), HeaderError> {
    let kind = match e_type {
        2 | 3 => return Ok(()),
        1 => "relocatable object",
        4 => "core dump",
        _ => "file",
    };
    Err(not_executable(format!(
        "ELF {kind} (e_type {e_type}), not an executable"
    )))
}

fn elf_os(osabi: u8) -> Option<&'static str> {
    match osabi {
        0 | 3 => Some("linux"),
        2 => Some("netbsd"),
        6 => Some("solaris"),
        9 => Some("freebsd"),
        12 => Some("openbsd"),
        _ => None,
    }
}

/// GOARCH and a human name for an ELF machine. Where Go has one class (or byte order) for
/// a machine, a file of the other kind is reported as not a Go architecture.
fn elf_machine(machine: u16, bits64: bool, big: bool) -> (Option<&'static str>, &'static str) {
    match (machine, bits64, big) {
        (3, false, false) => (Some("386"), "Intel 80386"),
        (62, true, false) => (Some("amd64"), "x86-64"),
        (62, false, _) => (None, "x86-64 with 32-bit pointers (x32)"),
        (40, false, false) => (Some("arm"), "ARM"),
        (183, true, false) => (Some("arm64"), "AArch64"),
        (243, true, false) => (Some("riscv64"), "RISC-V 64-bit"),
        (243, false, _) => (None, "RISC-V 32-bit"),
        (21, true, true) => (Some("ppc64"), "PowerPC 64-bit big-endian"),
        (21, true, false) => (Some("ppc64le"), "PowerPC 64-bit little-endian"),
        (22, true, true) => (Some("s390x"), "IBM z/Architecture"),
        (258, true, false) => (Some("loong64"), "LoongArch 64-bit"),
        (8, false, true) => (Some("mips"), "MIPS 32-bit big-endian"),
        (8, false, false) => (Some("mipsle"), "MIPS 32-bit little-endian"),
        (8, true, true) => (Some("mips64"), "MIPS 64-bit big-endian"),
        (8, true, false) => (Some("mips64le"), "MIPS 64-bit little-endian"),
        (3 | 62 | 40 | 183 | 243 | 21 | 22 | 258, _, _) => {
            (None, "a class or byte order Go does not build for")
        }
        _ => (None, "unknown CPU"),
    }
}

/// ELF program header type of the interpreter entry (the dynamic loader's path).
const PT_INTERP: u32 = 3;

/// How much [`read_elf_interpreter`] reads: program headers follow the ELF header and the
/// interpreter path follows them, well inside the first pages of every linker's output.
const ELF_INTERP_PREFIX_LEN: usize = 64 * 1024;

/// The program interpreter (PT_INTERP, e.g. `/lib64/ld-linux-x86-64.so.2`) an ELF
/// executable asks the kernel to load, or `None` for a truly static executable (static
/// or static-pie). Release builds for Linux must be static: a musl binary that still
/// names a loader fails with a baffling "No such file or directory" on most distros.
/// `bytes` is a prefix of the file; an interpreter whose path lies beyond it is reported
/// as `<beyond the data read>` (it exists either way).
pub fn elf_interpreter(bytes: &[u8]) -> Result<Option<String>, HeaderError> {
    let info = parse_header(bytes)?;
    if info.format != Format::Elf {
        return Err(not_executable(format!(
            "{} {}, not ELF",
            info.format.article(),
            info.format
        )));
    }
    // parse_header checked the class and byte order bytes.
    let bits64 = bytes.get(4) == Some(&2);
    let endian = if bytes.get(5) == Some(&2) {
        Endian::Big
    } else {
        Endian::Little
    };
    let word = |offset: usize| -> Option<usize> {
        if bits64 {
            let raw: [u8; 8] = bytes_at(bytes, offset)?;
            let value = match endian {
                Endian::Little => u64::from_le_bytes(raw),
                Endian::Big => u64::from_be_bytes(raw),
            };
            usize::try_from(value).ok()
        } else {
            usize::try_from(u32_at(bytes, offset, endian)?).ok()
        }
    };
    // e_phoff, e_phentsize, e_phnum; p_offset and p_filesz inside a program header.
    let (phoff_at, phentsize_at, phnum_at, p_offset_at, p_filesz_at) = if bits64 {
        (32, 54, 56, 8, 32)
    } else {
        (28, 42, 44, 4, 16)
    };
    let phoff = word(phoff_at).ok_or(TRUNCATED)?;
    let phentsize = usize::from(u16_at(bytes, phentsize_at, endian).ok_or(TRUNCATED)?);
    let phnum = u16_at(bytes, phnum_at, endian).ok_or(TRUNCATED)?;
    for index in 0..usize::from(phnum) {
        let entry = index
            .checked_mul(phentsize)
            .and_then(|o| o.checked_add(phoff))
            .ok_or(TRUNCATED)?;
        if u32_at(bytes, entry, endian).ok_or(TRUNCATED)? != PT_INTERP {
            continue;
        }
        let path = word(entry + p_offset_at)
            .zip(word(entry + p_filesz_at))
            .and_then(|(offset, len)| bytes.get(offset..offset.checked_add(len)?))
            .map_or_else(
                || "<beyond the data read>".to_string(),
                |raw| {
                    String::from_utf8_lossy(raw.split(|&b| b == 0).next().unwrap_or(raw))
                        .into_owned()
                },
            );
        return Ok(Some(path));
    }
    Ok(None)
}

/// [`elf_interpreter`] of the file at `path`.
pub fn read_elf_interpreter(path: &Path) -> Result<Option<String>, HeaderError> {
    let io_error = |source| HeaderError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io_error)?;
    let mut prefix = vec![0u8; ELF_INTERP_PREFIX_LEN];
    let len = read_up_to(&mut file, &mut prefix).map_err(io_error)?;
    prefix.truncate(len);
    elf_interpreter(&prefix).map_err(|err| err.in_file(path))
}

// ------------------------------------------------------------------------------- Mach-O

const MH_EXECUTE: u32 = 2;

fn parse_macho(bytes: &[u8], endian: Endian) -> Result<BinaryInfo, HeaderError> {
    // magic, cputype, cpusubtype, filetype.
    let cputype = u32_at(bytes, 4, endian).ok_or(TRUNCATED)?;
    let filetype = u32_at(bytes, 12, endian).ok_or(TRUNCATED)?;
    if filetype != MH_EXECUTE {
        return Err(not_executable(format!(
            "Mach-O {} (filetype {filetype}), not an executable",
            macho_filetype(filetype)
        )));
    }
    let (arch, name) = macho_cpu(cputype);
    let cpu = match (arch, name) {
        (Some(arch), _) => format!("{arch} (Mach-O cputype {cputype:#010x})"),
        (None, Some(name)) => format!("{name} (Mach-O cputype {cputype:#010x})"),
        (None, None) => format!("unknown CPU (Mach-O cputype {cputype:#010x})"),
    };
    Ok(BinaryInfo {
        format: Format::MachO,
        os: Some("darwin"),
        archs: arch.into_iter().collect(),
        cpu,
    })
}

fn macho_filetype(filetype: u32) -> &'static str {
    match filetype {
        1 => "object file",
        4 => "core dump",
        6 => "dynamic library",
        8 => "bundle",
        _ => "file",
    }
}

/// GOARCH and Apple's name (as `lipo -archs` prints it) for a Mach-O cputype.
fn macho_cpu(cputype: u32) -> (Option<&'static str>, Option<&'static str>) {
    match cputype {
        0x0100_0007 => (Some("amd64"), Some("x86_64")),
        0x0100_000c => (Some("arm64"), Some("arm64")),
        7 => (Some("386"), Some("i386")),
        12 => (Some("arm"), Some("arm")),
        0x0200_000c => (None, Some("arm64_32")),
        18 => (None, Some("ppc")),
        0x0100_0012 => (None, Some("ppc64")),
        _ => (None, None),
    }
}

/// Universal ("fat") Mach-O: a big-endian table of slices. The slices' own headers lie
/// far beyond the prefix and are not read: the table is what the loader picks by.
fn parse_fat(bytes: &[u8], fat64: bool) -> Result<BinaryInfo, HeaderError> {
    let count = u32_at(bytes, 4, Endian::Big).ok_or(TRUNCATED)?;
    if !(1..=MAX_FAT_SLICES).contains(&count) {
        return Err(not_executable(describe_cafebabe(bytes, count, fat64)));
    }
    // fat_arch is 20 bytes, fat_arch_64 32; both start with cputype.
    let entry_len = if fat64 { 32 } else { 20 };
    let mut archs = Vec::new();
    let mut names = Vec::new();
    for index in 0..count as usize {
        let cputype = u32_at(bytes, 8 + index * entry_len, Endian::Big).ok_or(TRUNCATED)?;
        let (arch, name) = macho_cpu(cputype);
        if let Some(arch) = arch.filter(|arch| !archs.contains(arch)) {
            archs.push(arch);
        }
        names.push(match name {
            Some(name) => name.to_string(),
            None => format!("cputype {cputype:#010x}"),
        });
    }
    Ok(BinaryInfo {
        format: Format::MachO,
        os: Some("darwin"),
        archs,
        cpu: format!("universal ({})", names.join(" + ")),
    })
}

fn describe_cafebabe(bytes: &[u8], count: u32, fat64: bool) -> String {
    // A Java class file: magic, u16 minor version, u16 major version (45 = Java 1.1).
    let minor = u16_at(bytes, 4, Endian::Big).unwrap_or_default();
    let major = u16_at(bytes, 6, Endian::Big).unwrap_or_default();
    if !fat64 && major >= 45 {
        format!("Java class file (0xCAFEBABE, class file version {major}.{minor})")
    } else {
        format!("universal Mach-O header with an implausible {count} slices")
    }
}

// ----------------------------------------------------------------------------------- PE

/// Where the MZ stub says the PE header is (`e_lfanew` at 0x3c).
fn pe_header_offset(bytes: &[u8]) -> Option<u32> {
    if bytes.starts_with(b"MZ") {
        u32_at(bytes, 0x3c, Endian::Little)
    } else {
        None
    }
}

fn parse_pe(bytes: &[u8]) -> Result<BinaryInfo, HeaderError> {
    let offset = pe_header_offset(bytes).ok_or(TRUNCATED)?;
    let header = usize::try_from(offset)
        .ok()
        .and_then(|offset| bytes.get(offset..))
        .and_then(|rest| rest.get(..PE_HEADER_LEN))
        .ok_or(TRUNCATED)?;
    parse_pe_header(header)
}

const IMAGE_FILE_EXECUTABLE_IMAGE: u16 = 0x0002;
const IMAGE_FILE_DLL: u16 = 0x2000;

/// Parses `PE\0\0` + COFF file header (machine at +4, characteristics at +22).
fn parse_pe_header(header: &[u8]) -> Result<BinaryInfo, HeaderError> {
    let signature: [u8; 4] = bytes_at(header, 0).ok_or(TRUNCATED)?;
    if &signature != b"PE\0\0" {
        return Err(not_executable("MS-DOS executable (MZ) without a PE header"));
    }
    let machine = u16_at(header, 4, Endian::Little).ok_or(TRUNCATED)?;
    let characteristics = u16_at(header, 22, Endian::Little).ok_or(TRUNCATED)?;
    if characteristics & IMAGE_FILE_DLL != 0 {
        return Err(not_executable(
            "PE dynamic-link library (DLL), not an executable",
        ));
    }
    if characteristics & IMAGE_FILE_EXECUTABLE_IMAGE == 0 {
        return Err(not_executable("PE file not marked as an executable image"));
    }
    let (arch, name) = pe_machine(machine);
    let cpu = match arch {
        Some(arch) => format!("{arch} ({name}, PE machine {machine:#06x})"),
        None => format!("{name} (PE machine {machine:#06x})"),
    };
    Ok(BinaryInfo {
        format: Format::Pe,
        os: Some("windows"),
        archs: arch.into_iter().collect(),
        cpu,
    })
}

fn pe_machine(machine: u16) -> (Option<&'static str>, &'static str) {
    match machine {
        0x8664 => (Some("amd64"), "x86-64"),
        0xaa64 => (Some("arm64"), "ARM64"),
        0x014c => (Some("386"), "Intel 386"),
        0x01c4 => (Some("arm"), "ARMv7 Thumb-2"),
        0x01c0 => (None, "ARM without Thumb-2"),
        _ => (None, "unknown CPU"),
    }
}

// ------------------------------------------------------------------------------ Unknown

/// Says what a non-executable looks like, so "not an executable" comes with a hint.
fn describe_unknown(bytes: &[u8]) -> String {
    const SHOWN: usize = 60;
    if bytes.is_empty() {
        return "empty file".to_string();
    }
    if bytes.starts_with(b"#!") {
        let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
        let line = String::from_utf8_lossy(line.get(..SHOWN).unwrap_or(line));
        return format!("a script (starts with {})", line.trim_end());
    }
    if bytes.starts_with(b"\x1f\x8b") {
        return "gzip-compressed data".to_string();
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return "a zip archive".to_string();
    }
    let head = bytes.get(..SHOWN).unwrap_or(bytes);
    if head
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        let text = String::from_utf8_lossy(head);
        return format!("text starting with {:?}", text.trim_end());
    }
    let first: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("unknown format (first bytes {})", first.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::{Class, Order, elf, fat, macho, pe};
    use proptest::prelude::*;

    fn parse(bytes: &[u8]) -> BinaryInfo {
        parse_header(bytes).unwrap_or_else(|err| panic!("parse failed: {err}"))
    }

    fn what(bytes: &[u8]) -> String {
        match parse_header(bytes) {
            Err(HeaderError::NotExecutable { what, path: None }) => what,
            other => panic!("expected NotExecutable, got {other:?}"),
        }
    }

    /// An ELF64/ELF32 header followed by program headers of the given types; a PT_INTERP
    /// entry points at `interp` placed after the table.
    fn elf_with_phdrs(class: Class, order: Order, types: &[u32], interp: &[u8]) -> Vec<u8> {
        let bits64 = matches!(class, Class::B64);
        let mut bytes = elf(62, class, order);
        let (ehsize, phentsize) = if bits64 { (64usize, 56usize) } else { (52, 32) };
        bytes.resize(ehsize + phentsize * types.len(), 0);
        let interp_at = bytes.len();
        bytes.extend_from_slice(interp);
        let put = |bytes: &mut Vec<u8>, at: usize, value: u64, size: usize| {
            let raw = match order {
                Order::Little => value.to_le_bytes()[..size].to_vec(),
                Order::Big => value.to_be_bytes()[8 - size..].to_vec(),
            };
            bytes[at..at + size].copy_from_slice(&raw);
        };
        let word = if bits64 { 8 } else { 4 };
        put(
            &mut bytes,
            if bits64 { 32 } else { 28 },
            ehsize as u64,
            word,
        );
        put(
            &mut bytes,
            if bits64 { 54 } else { 42 },
            phentsize as u64,
            2,
        );
        put(
            &mut bytes,
            if bits64 { 56 } else { 44 },
            types.len() as u64,
            2,
        );
        for (i, &kind) in types.iter().enumerate() {
            let entry = ehsize + i * phentsize;
            put(&mut bytes, entry, u64::from(kind), 4);
            let (off_at, size_at) = if bits64 { (8, 32) } else { (4, 16) };
            put(&mut bytes, entry + off_at, interp_at as u64, word);
            put(&mut bytes, entry + size_at, interp.len() as u64, word);
        }
        bytes
    }

    #[test]
    fn elf_interpreter_names_the_loader_of_a_dynamic_binary() {
        for (class, order) in [
            (Class::B64, Order::Little),
            (Class::B32, Order::Little),
            (Class::B64, Order::Big),
        ] {
            let bytes = elf_with_phdrs(class, order, &[6, 3, 1], b"/lib/ld-musl-x86_64.so.1\0");
            assert_eq!(
                elf_interpreter(&bytes).unwrap().as_deref(),
                Some("/lib/ld-musl-x86_64.so.1")
            );
        }
    }

    #[test]
    fn elf_interpreter_is_none_for_static_binaries() {
        let bytes = elf_with_phdrs(Class::B64, Order::Little, &[6, 1, 1, 0x6474_e551], b"");
        assert_eq!(elf_interpreter(&bytes).unwrap(), None);
        // No program headers at all.
        assert_eq!(
            elf_interpreter(&elf(62, Class::B64, Order::Little)).unwrap(),
            None
        );
    }

    #[test]
    fn elf_interpreter_beyond_the_prefix_still_counts() {
        let mut bytes = elf_with_phdrs(Class::B64, Order::Little, &[3], b"/lib/ld.so\0");
        bytes.truncate(bytes.len() - 5);
        assert_eq!(
            elf_interpreter(&bytes).unwrap().as_deref(),
            Some("<beyond the data read>")
        );
    }

    #[test]
    fn elf_interpreter_rejects_truncated_tables_and_other_formats() {
        let mut bytes = elf_with_phdrs(Class::B64, Order::Little, &[1, 3], b"");
        bytes.truncate(64 + 56 + 2);
        assert!(matches!(
            elf_interpreter(&bytes),
            Err(HeaderError::Truncated { .. })
        ));
        assert!(matches!(
            elf_interpreter(&macho(0x0100_000c, true, Order::Little)),
            Err(HeaderError::NotExecutable { .. })
        ));
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn read_elf_interpreter_of_this_test_binary_matches_its_linking() {
        // The test binary itself: a glibc build names a loader, a static musl one none.
        let exe = std::env::current_exe().unwrap();
        let interp = read_elf_interpreter(&exe).unwrap();
        assert_eq!(
            interp.is_none(),
            cfg!(target_feature = "crt-static"),
            "{interp:?}"
        );
    }

    proptest! {
        #[test]
        fn elf_interpreter_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut elf = elf(62, Class::B64, Order::Little);
            elf.extend_from_slice(&bytes);
            let _ = elf_interpreter(&elf);
            let _ = elf_interpreter(&bytes);
        }
    }

    fn platform(s: &str) -> Platform {
        s.parse().unwrap()
    }

    #[test]
    fn elf_machines_map_to_goarch() {
        use Class::*;
        use Order::*;
        let cases = [
            (62, B64, Little, "amd64"),
            (183, B64, Little, "arm64"),
            (3, B32, Little, "386"),
            (40, B32, Little, "arm"),
            (243, B64, Little, "riscv64"),
            (21, B64, Big, "ppc64"),
            (21, B64, Little, "ppc64le"),
            (22, B64, Big, "s390x"),
            (258, B64, Little, "loong64"),
            (8, B32, Big, "mips"),
            (8, B32, Little, "mipsle"),
            (8, B64, Big, "mips64"),
            (8, B64, Little, "mips64le"),
        ];
        for (machine, class, order, arch) in cases {
            let info = parse(&elf(machine, class, order));
            assert_eq!(info.format, Format::Elf);
            assert_eq!(info.os, Some("linux"));
            assert_eq!(info.archs, vec![arch], "e_machine {machine}");
            assert!(
                info.cpu.contains(&format!("ELF e_machine {machine}")),
                "{}",
                info.cpu
            );
        }
    }

    #[test]
    fn elf_cpu_text_names_machine() {
        let info = parse(&elf(62, Class::B64, Order::Little));
        assert_eq!(info.cpu, "amd64 (x86-64, ELF e_machine 62)");
        assert_eq!(
            info.to_string(),
            "ELF executable for linux, amd64 (x86-64, ELF e_machine 62)"
        );
    }

    #[test]
    fn elf_of_wrong_class_or_unknown_machine_has_no_arch() {
        let x32 = parse(&elf(62, Class::B32, Order::Little));
        assert!(x32.archs.is_empty());
        assert!(x32.cpu.contains("x32"), "{}", x32.cpu);
        let be_arm64 = parse(&elf(183, Class::B64, Order::Big));
        assert!(be_arm64.archs.is_empty());
        let sparc = parse(&elf(43, Class::B64, Order::Big));
        assert!(sparc.archs.is_empty());
        assert_eq!(sparc.cpu, "unknown CPU (ELF e_machine 43)");
    }

    #[test]
    fn elf_osabi_decides_os() {
        let mut bytes = elf(62, Class::B64, Order::Little);
        bytes[7] = 9;
        let freebsd = parse(&bytes);
        assert_eq!(freebsd.os, Some("freebsd"));
        assert!(freebsd.runs_natively_on(&platform("freebsd/amd64")));
        assert!(!freebsd.runs_natively_on(&platform("linux/amd64")));
        bytes[7] = 97;
        assert_eq!(parse(&bytes).os, None);
        assert!(!parse(&bytes).runs_natively_on(&platform("linux/amd64")));
    }

    #[test]
    fn elf_objects_and_core_dumps_are_not_executables() {
        let mut bytes = elf(62, Class::B64, Order::Little);
        bytes[16] = 1;
        assert!(what(&bytes).contains("relocatable object"));
        bytes[16] = 4;
        assert!(what(&bytes).contains("core dump"));
        bytes[16] = 3; // PIE
        assert_eq!(parse(&bytes).archs, vec!["amd64"]);
    }

    #[test]
    fn elf_with_bad_ident_is_rejected() {
        let mut bytes = elf(62, Class::B64, Order::Little);
        bytes[4] = 7;
        assert!(what(&bytes).contains("class"));
        let mut bytes = elf(62, Class::B64, Order::Little);
        bytes[5] = 0;
        assert!(what(&bytes).contains("byte order"));
    }

    #[test]
    fn macho_both_widths_and_byte_orders() {
        let cases = [
            (0x0100_0007, "amd64"),
            (0x0100_000c, "arm64"),
            (7, "386"),
            (12, "arm"),
        ];
        for (cputype, arch) in cases {
            for bits64 in [false, true] {
                for order in [Order::Little, Order::Big] {
                    let info = parse(&macho(cputype, bits64, order));
                    assert_eq!(info.format, Format::MachO);
                    assert_eq!(info.os, Some("darwin"));
                    assert_eq!(info.archs, vec![arch]);
                }
            }
        }
        let arm64 = parse(&macho(0x0100_000c, true, Order::Little));
        assert_eq!(arm64.cpu, "arm64 (Mach-O cputype 0x0100000c)");
        let ppc = parse(&macho(18, false, Order::Big));
        assert!(ppc.archs.is_empty());
        assert_eq!(ppc.cpu, "ppc (Mach-O cputype 0x00000012)");
    }

    #[test]
    fn macho_dylib_is_not_an_executable() {
        let mut bytes = macho(0x0100_000c, true, Order::Little);
        bytes[12] = 6;
        assert!(what(&bytes).contains("dynamic library"));
    }

    #[test]
    fn universal_macho_lists_every_slice() {
        for fat64 in [false, true] {
            let info = parse(&fat(&[0x0100_0007, 0x0100_000c], fat64));
            assert_eq!(info.format, Format::MachO);
            assert_eq!(info.archs, vec!["amd64", "arm64"]);
            assert_eq!(info.cpu, "universal (x86_64 + arm64)");
            assert!(info.runs_natively_on(&platform("darwin/arm64")));
            assert!(info.runs_natively_on(&platform("darwin/amd64")));
            assert!(!info.runs_natively_on(&platform("linux/arm64")));
        }
        let odd = parse(&fat(&[18, 0x0100_000c, 0x0100_000c], false));
        assert_eq!(odd.archs, vec!["arm64"]);
        assert_eq!(odd.cpu, "universal (ppc + arm64 + arm64)");
        let unknown = parse(&fat(&[0x42], false));
        assert_eq!(unknown.cpu, "universal (cputype 0x00000042)");
    }

    #[test]
    fn java_class_file_is_not_a_universal_binary() {
        let class = b"\xca\xfe\xba\xbe\x00\x00\x00\x34\x00\x1d\x0a\x00\x06\x00\x0f\x09";
        let java = what(class);
        assert!(java.contains("Java class file"), "{java}");
        assert!(java.contains("52.0"), "{java}");
        let empty_table = what(b"\xca\xfe\xba\xbe\x00\x00\x00\x00");
        assert!(
            empty_table.contains("implausible 0 slices"),
            "{empty_table}"
        );
        let implausible = what(b"\xca\xfe\xba\xbf\x00\x00\x00\x34");
        assert!(
            implausible.contains("implausible 52 slices"),
            "{implausible}"
        );
    }

    #[test]
    fn truncated_fat_table_asks_for_more() {
        let bytes = fat(&[0x0100_0007, 0x0100_000c], false);
        assert!(matches!(
            parse_header(&bytes[..20]),
            Err(HeaderError::Truncated { path: None })
        ));
    }

    #[test]
    fn pe_machines_map_to_goarch() {
        for (machine, arch) in [
            (0x8664, "amd64"),
            (0xaa64, "arm64"),
            (0x14c, "386"),
            (0x1c4, "arm"),
        ] {
            let info = parse(&pe(machine, 0x80));
            assert_eq!(info.format, Format::Pe);
            assert_eq!(info.os, Some("windows"));
            assert_eq!(info.archs, vec![arch]);
        }
        assert_eq!(
            parse(&pe(0x8664, 0x80)).cpu,
            "amd64 (x86-64, PE machine 0x8664)"
        );
        assert!(parse(&pe(0x1c0, 0x80)).archs.is_empty());
    }

    #[test]
    fn pe_header_beyond_the_prefix_is_truncated_not_garbage() {
        let bytes = pe(0x8664, 0x2000);
        assert!(matches!(
            parse_header(&bytes[..4096]),
            Err(HeaderError::Truncated { .. })
        ));
        assert_eq!(parse(&bytes).archs, vec!["amd64"]);
        let mut far = bytes[..0x40].to_vec();
        far[0x3c..0x40].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            parse_header(&far),
            Err(HeaderError::Truncated { .. })
        ));
    }

    #[test]
    fn pe_dll_and_dos_stub_are_rejected() {
        let mut dll = pe(0x8664, 0x80);
        dll[0x80 + 23] |= 0x20;
        assert!(what(&dll).contains("DLL"));
        let mut dos = pe(0x8664, 0x80);
        dos[0x80] = b'X';
        assert!(what(&dos).contains("MS-DOS"));
    }

    #[test]
    fn non_executables_are_described() {
        assert!(what(b"#!/bin/sh\necho hi\n").contains("starts with #!/bin/sh"));
        assert!(what(b"\x1f\x8b\x08\x00\x00\x00").contains("gzip"));
        assert!(what(b"PK\x03\x04\x14\x00").contains("zip"));
        assert!(what(b"<!DOCTYPE html><html>").contains("text starting with \"<!DOCTYPE"));
        assert!(what(b"\x00\x01\x02\x03\x04").contains("00 01 02 03 04"));
        assert!(what(b"ab").contains("text"));
    }

    #[test]
    fn short_prefixes_of_magics_ask_for_more() {
        for bytes in [
            &b""[..],
            b"\x7f",
            b"\x7fEL",
            b"MZ",
            b"\xca\xfe",
            b"\x7fELF\x02\x01",
        ] {
            assert!(
                matches!(parse_header(bytes), Err(HeaderError::Truncated { .. })),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn every_prefix_of_valid_headers_parses_or_errors_cleanly() {
        let samples = [
            elf(62, Class::B64, Order::Little),
            macho(0x0100_000c, true, Order::Little),
            fat(&[0x0100_0007, 0x0100_000c], true),
            pe(0xaa64, 0x80),
        ];
        for sample in &samples {
            for len in 0..sample.len() {
                let _ = parse_header(&sample[..len]);
            }
            assert!(parse_header(sample).is_ok());
        }
    }

    #[test]
    fn native_check_uses_os_and_arch() {
        let linux_amd64 = parse(&elf(62, Class::B64, Order::Little));
        assert!(linux_amd64.runs_natively_on(&platform("linux/amd64")));
        assert!(!linux_amd64.runs_natively_on(&platform("linux/arm64")));
        assert!(!linux_amd64.runs_natively_on(&platform("darwin/amd64")));
        assert!(!linux_amd64.runs_natively_on(&platform("windows/amd64")));
        assert!(linux_amd64.matches_os("illumos"));
        let darwin_amd64 = parse(&macho(0x0100_0007, true, Order::Little));
        assert!(!darwin_amd64.runs_natively_on(&platform("darwin/arm64")));
        let windows = parse(&pe(0x8664, 0x80));
        assert!(windows.runs_natively_on(&platform("windows/amd64")));
        assert!(!windows.runs_natively_on(&platform("linux/amd64")));
    }

    #[test]
    fn read_header_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("go");
        std::fs::write(&script, "#!/bin/sh\nexec go \"$@\"\n").unwrap();
        let message = read_header(&script).unwrap_err().to_string();
        assert!(
            message.starts_with(&script.display().to_string()),
            "{message}"
        );
        assert!(message.contains("starts with #!/bin/sh"), "{message}");

        let empty = dir.path().join("empty");
        std::fs::write(&empty, "").unwrap();
        let message = read_header(&empty).unwrap_err().to_string();
        assert!(message.contains("empty file"), "{message}");

        let short = dir.path().join("short");
        std::fs::write(&short, &elf(62, Class::B64, Order::Little)[..10]).unwrap();
        assert!(matches!(
            read_header(&short),
            Err(HeaderError::Truncated { path: Some(_) })
        ));

        let missing = dir.path().join("missing");
        assert!(matches!(read_header(&missing), Err(HeaderError::Io { .. })));
    }

    #[test]
    fn read_header_follows_a_far_pe_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("go.exe");
        std::fs::write(&path, pe(0xaa64, 0x3000)).unwrap();
        assert_eq!(read_header(&path).unwrap().archs, vec!["arm64"]);
        let mut cut = pe(0xaa64, 0x3000);
        cut.truncate(0x3004);
        std::fs::write(&path, cut).unwrap();
        assert!(matches!(
            read_header(&path),
            Err(HeaderError::Truncated { path: Some(_) })
        ));
    }

    #[test]
    fn read_header_reads_real_sized_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("go");
        let mut bytes = elf(183, Class::B64, Order::Little);
        bytes.resize(100_000, 0xab);
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(read_header(&path).unwrap().archs, vec!["arm64"]);
    }

    proptest! {
        #[test]
        fn parse_header_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = parse_header(&bytes);
        }

        #[test]
        fn parse_header_never_panics_after_a_valid_magic(
            magic in prop::sample::select(vec![
                &b"\x7fELF"[..], b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
                b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf", b"MZ",
            ]),
            rest in proptest::collection::vec(any::<u8>(), 0..1024),
        ) {
            let bytes = [magic, &rest].concat();
            let _ = parse_header(&bytes);
        }

        #[test]
        fn small_fat_tables_never_panic(
            count in 0u32..40,
            rest in proptest::collection::vec(any::<u8>(), 0..900),
        ) {
            let bytes = [&b"\xca\xfe\xba\xbe"[..], &count.to_be_bytes(), &rest].concat();
            let _ = parse_header(&bytes);
        }
    }
}
