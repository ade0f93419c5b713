//! What `cargo xtask bench` puts next to the shim: the physical floor (a static C program that only calls `execv`), mise's shim, and a syscall
//! count before `exec` (strace). See DESIGN.md, "The shim": within 0.05 ms of the floor,
//! ≤ 50 syscalls before exec, ≤ 1 MB.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The Linux release target: fully static, like the shim in every Linux artifact.
pub const MUSL_TARGET: &str = "x86_64-unknown-linux-musl";

/// A static C program that `execv`s `go` with its own argv: what any exec-based shim costs at
/// least. Built with musl-gcc when installed (Debian: musl-tools), else `gcc -static`.
pub fn c_wrapper(work: &Path, go: &Path) -> std::result::Result<(PathBuf, &'static str), String> {
    let program = format!(
        "#include <unistd.h>\nint main(int argc, char **argv) {{ (void)argc; execv(\"{}\", argv); return 127; }}\n",
        go.display()
    );
    static_c(work, "floor", &program)
}

/// A static C program that exits at once: a stand-in `go` whose own run costs next to
/// nothing, so what a shim adds on top is measured without `go`'s ±0.5 ms of noise.
pub fn c_noop(work: &Path) -> std::result::Result<(PathBuf, &'static str), String> {
    static_c(work, "noop", "int main(void) { return 0; }\n")
}

/// What the shim does to the filesystem before it execs `go`, for [`c_work_floor`].
pub struct ShimWork {
    /// GOX_CONFIG (usually absent).
    pub config: PathBuf,
    /// The pin candidates that do not exist, walking up from the working directory.
    pub absent: Vec<PathBuf>,
    /// The `.go-version` that decides.
    pub pin: PathBuf,
    /// The toolchain's receipt (the in-use lock).
    pub receipt: PathBuf,
    /// `bin/go`: its header is read, then it is exec'd.
    pub go: PathBuf,
    /// The variables the shim sets for `go`.
    pub vars: Vec<(String, String)>,
}

/// A static C program making the shim's system calls and nothing else: `getcwd`, a `stat`
/// per config and pin candidate, the pin read, the receipt opened and locked, the header
/// read, `execve` with the extra variables. What any program doing gox's job pays on this
/// machine, however it is written: the shim's distance from it is the cost of its code.
pub fn c_work_floor(
    work: &Path,
    shim: &ShimWork,
) -> std::result::Result<(PathBuf, &'static str), String> {
    let list = |items: &mut dyn Iterator<Item = String>| {
        items.map(|s| format!("{s}, ")).collect::<String>() + "0"
    };
    let absent = list(&mut shim.absent.iter().map(|p| c_literal(&p.to_string_lossy())));
    let vars = list(
        &mut shim
            .vars
            .iter()
            .map(|(k, v)| c_literal(&format!("{k}={v}"))),
    );
    let program = format!(
        r#"#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
extern char **environ;
static const char *absent[] = {{ {absent} }};
static char *vars[] = {{ {vars} }};
static char *env[4096];
int main(int argc, char **argv) {{
  char buf[1024]; struct stat st; int n = 0, fd;
  (void)argc;
  if (!getcwd(buf, sizeof buf)) return 1;
  stat({config}, &st);
  for (const char **p = absent; *p; p++) stat(*p, &st);
  stat({pin}, &st);
  if ((fd = open({pin}, O_RDONLY | O_CLOEXEC)) < 0) return 1;
  while (read(fd, buf, 512) > 0) ;
  close(fd);
  if ((fd = open({receipt}, O_RDONLY)) >= 0) flock(fd, LOCK_SH | LOCK_NB);
  if ((fd = open({go}, O_RDONLY | O_CLOEXEC)) < 0) return 1;
  if (read(fd, buf, sizeof buf) <= 0) return 1;
  close(fd);
  for (char **e = environ; *e && n < 4000; e++) env[n++] = *e;
  for (char **v = vars; *v; v++) env[n++] = *v;
  env[n] = 0;
  execve({go}, argv, env);
  return 127;
}}
"#,
        config = c_literal(&shim.config.to_string_lossy()),
        pin = c_literal(&shim.pin.to_string_lossy()),
        receipt = c_literal(&shim.receipt.to_string_lossy()),
        go = c_literal(&shim.go.to_string_lossy()),
    );
    static_c(work, "work-floor", &program)
}

/// `s` as a C string literal (octal escapes for anything but plain printable ASCII).
fn c_literal(s: &str) -> String {
    let mut out = String::from("\"");
    for b in s.bytes() {
        if (0x20..=0x7e).contains(&b) && !matches!(b, b'"' | b'\\' | b'?') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("\\{b:03o}"));
        }
    }
    out.push('"');
    out
}

fn static_c(
    work: &Path,
    name: &str,
    program: &str,
) -> std::result::Result<(PathBuf, &'static str), String> {
    let src = work.join(format!("{name}.c"));
    let out = work.join(name);
    std::fs::write(&src, program).map_err(|e| e.to_string())?;
    for (cc, label) in [("musl-gcc", "musl-gcc -static"), ("gcc", "gcc -static")] {
        let built = Command::new(cc)
            .args(["-static", "-O2", "-o"])
            .arg(&out)
            .arg(&src)
            .stderr(Stdio::null())
            .status();
        if built.is_ok_and(|s| s.success()) {
            return Ok((out, label));
        }
    }
    Err(format!(
        "neither musl-gcc nor gcc -static could build {name}.c (apt-get install musl-tools)"
    ))
}

/// mise's shim, the environment mise needs, and its version.
pub struct Mise {
    pub shim: PathBuf,
    pub env: Vec<(String, PathBuf)>,
    pub version: String,
}

/// mise's `go` shim: `@jdxcode/mise-linux-x64` from npm into `work/npm`, with its data dir
/// holding `go 1.22.10` as a link to `goroot`. Returns the shim and mise's environment, or
/// why it was skipped.
pub fn mise_shim(work: &Path, goroot: &Path, version: &str) -> std::result::Result<Mise, String> {
    let prefix = work.join("npm");
    std::fs::create_dir_all(&prefix).map_err(|e| e.to_string())?;
    let installed = Command::new("npm")
        .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
        .arg(&prefix)
        .arg("@jdxcode/mise-linux-x64")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !installed.is_ok_and(|s| s.success()) {
        return Err("npm could not install @jdxcode/mise-linux-x64 (no npm, or the registry is unreachable)".into());
    }
    let mise = prefix.join("node_modules/@jdxcode/mise-linux-x64/bin/mise");
    let data = work.join("mise/data");
    let env: Vec<(String, PathBuf)> = ["DATA", "CONFIG", "CACHE", "STATE"]
        .iter()
        .map(|k| {
            (
                format!("MISE_{k}_DIR"),
                work.join("mise").join(k.to_lowercase()),
            )
        })
        .collect();
    let link = |from: &Path, to: &Path| -> std::io::Result<()> {
        std::fs::create_dir_all(to.parent().unwrap_or(to))?;
        let _ = std::fs::remove_file(to);
        symlink(from, to)
    };
    // mise installs Go as a GOROOT under installs/go/<version>; its shims are links to mise.
    link(goroot, &data.join("installs/go").join(version)).map_err(|e| e.to_string())?;
    let shim = data.join("shims/go");
    link(&mise, &shim).map_err(|e| e.to_string())?;
    let out = Command::new(&mise)
        .arg("--version")
        .envs(env.iter().cloned())
        .output()
        .map_err(|e| e.to_string())?;
    let label = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or("?")
        .to_string();
    Ok(Mise {
        shim,
        env,
        version: label,
    })
}

/// Syscalls the process makes between its own `execve` and the `execve` of the program it
/// becomes (`strace -f`), or `None` without strace or when it never execs.
pub fn syscalls_before_exec(cmd: &mut Command, work: &Path) -> Option<usize> {
    let log = work.join("strace.log");
    let program = cmd.get_program().to_owned();
    let status = Command::new("strace")
        .args(["-f", "-o"])
        .arg(&log)
        .arg(program)
        .args(cmd.get_args())
        .envs(cmd.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .current_dir(cmd.get_current_dir().unwrap_or(Path::new(".")))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    count_before_second_exec(&std::fs::read_to_string(&log).ok()?)
}

/// The number of strace lines strictly between the first and the second `execve`.
pub fn count_before_second_exec(trace: &str) -> Option<usize> {
    let mut execs = trace
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("execve(") && !l.contains("= -1"));
    let (first, _) = execs.next()?;
    let (second, _) = execs.next()?;
    Some(second - first - 1)
}

/// mise's shims are symbolic links; the npm package measured here is linux-x64 anyway.
#[cfg(unix)]
fn symlink(from: &Path, to: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(from, to)
}

#[cfg(not(unix))]
fn symlink(_from: &Path, _to: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "the mise comparison runs on Linux only",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_between_the_two_execs() {
        let trace = "1 execve(\"/s/go\", …) = 0\n1 brk(NULL) = 0x1\n1 open(\"x\") = 3\n\
                     1 execve(\"/bad\", …) = -1 ENOENT\n1 execve(\"/g/bin/go\", …) = 0\n1 arch_prctl() = 0\n";
        assert_eq!(count_before_second_exec(trace), Some(3));
        assert_eq!(
            count_before_second_exec("1 execve(\"/s\") = 0\n1 exit(0)\n"),
            None
        );
    }
}
