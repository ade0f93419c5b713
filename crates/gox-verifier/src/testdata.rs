//! Minimal synthetic executables for tests: just the header fields the parsers read.

#[derive(Clone, Copy)]
pub enum Class {
    B32,
    B64,
}

#[derive(Clone, Copy)]
pub enum Order {
    Little,
    Big,
}

fn u16_bytes(value: u16, order: Order) -> [u8; 2] {
    match order {
        Order::Little => value.to_le_bytes(),
        Order::Big => value.to_be_bytes(),
    }
}

fn u32_bytes(value: u32, order: Order) -> [u8; 4] {
    match order {
        Order::Little => value.to_le_bytes(),
        Order::Big => value.to_be_bytes(),
    }
}

/// A 64-byte ELF executable header (OS ABI 0, as Go writes for linux).
pub fn elf(machine: u16, class: Class, order: Order) -> Vec<u8> {
    let mut bytes = vec![0u8; 64];
    bytes[..4].copy_from_slice(b"\x7fELF");
    bytes[4] = match class {
        Class::B32 => 1,
        Class::B64 => 2,
    };
    bytes[5] = match order {
        Order::Little => 1,
        Order::Big => 2,
    };
    bytes[6] = 1;
    bytes[16..18].copy_from_slice(&u16_bytes(2, order));
    bytes[18..20].copy_from_slice(&u16_bytes(machine, order));
    bytes
}

/// A thin Mach-O executable header.
pub fn macho(cputype: u32, bits64: bool, order: Order) -> Vec<u8> {
    let magic: u32 = if bits64 { 0xfeed_facf } else { 0xfeed_face };
    let mut bytes = vec![0u8; 32];
    bytes[..4].copy_from_slice(&u32_bytes(magic, order));
    bytes[4..8].copy_from_slice(&u32_bytes(cputype, order));
    bytes[12..16].copy_from_slice(&u32_bytes(2, order));
    bytes
}

/// A universal Mach-O slice table (slice contents are not read by the parser).
pub fn fat(cputypes: &[u32], fat64: bool) -> Vec<u8> {
    let (magic, entry_len): (u32, usize) = if fat64 {
        (0xcafe_babf, 32)
    } else {
        (0xcafe_babe, 20)
    };
    let mut bytes = magic.to_be_bytes().to_vec();
    bytes.extend_from_slice(&(cputypes.len() as u32).to_be_bytes());
    for &cputype in cputypes {
        let mut entry = vec![0u8; entry_len];
        entry[..4].copy_from_slice(&cputype.to_be_bytes());
        bytes.extend_from_slice(&entry);
    }
    bytes
}

/// An MZ stub pointing at a PE/COFF header at `lfanew`, marked as an executable image.
pub fn pe(machine: u16, lfanew: u32) -> Vec<u8> {
    let at = lfanew as usize;
    let mut bytes = vec![0u8; at + 24];
    bytes[..2].copy_from_slice(b"MZ");
    bytes[0x3c..0x40].copy_from_slice(&lfanew.to_le_bytes());
    bytes[at..at + 4].copy_from_slice(b"PE\0\0");
    bytes[at + 4..at + 6].copy_from_slice(&machine.to_le_bytes());
    bytes[at + 22..at + 24].copy_from_slice(&0x0022u16.to_le_bytes());
    bytes
}

#[cfg(feature = "tree")]
fn uvarint(mut value: usize, out: &mut Vec<u8>) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// The modinfo string as cmd/go embeds it: the lines between its 16-byte sentinels
/// (cmd/go/internal/modload's infoStart and infoEnd, which are not UTF-8).
#[cfg(feature = "tree")]
pub fn modinfo(path: &str, settings: &[(&str, &str)]) -> Vec<u8> {
    let mut text = format!("path\t{path}\n");
    for (key, value) in settings {
        text.push_str(&format!("build\t{key}={value}\n"));
    }
    modinfo_lines(&text)
}

/// Module info text framed by cmd/go's sentinels.
pub fn modinfo_lines(text: &str) -> Vec<u8> {
    [
        &b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6"[..],
        text.as_bytes(),
        b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2",
    ]
    .concat()
}

/// A Go ≥ 1.18 build info blob (32-byte header, inline strings), padded to 16 bytes.
#[cfg(feature = "tree")]
pub fn buildinfo_blob(version: &str, modinfo: &[u8]) -> Vec<u8> {
    let mut blob = b"\xff Go buildinf:\x08\x02".to_vec();
    blob.resize(32, 0);
    uvarint(version.len(), &mut blob);
    blob.extend_from_slice(version.as_bytes());
    uvarint(modinfo.len(), &mut blob);
    blob.extend_from_slice(modinfo);
    blob.resize(blob.len().next_multiple_of(16) + 16, 0);
    blob
}

/// A fake Go binary: an executable header, filler, and a build info blob at a 16-byte
/// aligned offset, like the linker lays it out in the data segment.
#[cfg(feature = "tree")]
pub fn go_binary(header: &[u8], goos: &str, goarch: &str) -> Vec<u8> {
    let mut bytes = header.to_vec();
    bytes.resize(4096, 0x90);
    let settings = [("-compiler", "gc"), ("GOARCH", goarch), ("GOOS", goos)];
    bytes.extend(buildinfo_blob("go1.22.10", &modinfo("cmd/go", &settings)));
    bytes
}
