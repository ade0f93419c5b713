//! `cargo xtask bench`: side-by-side measurements in one run, written to
//! docs/benchmarks.md. Performance is measured here, never asserted in tests.
//!
//! * `gox install 1.22.10` from a loopback mirror vs `curl -o f && sha256sum f && tar -xzf f`
//!   on the same archive (wall time, peak RSS via GNU time), interleaved.
//! * gox is measured as the dist ships it (static musl, built like `cargo xtask dist`), next
//!   to the host `cargo build` that `cargo install` gives contributors.
//! * `shims/go version` (the dist's static musl replayer) vs the toolchain's own `bin/go version`,
//!   a static C `execv` wrapper (the floor) and mise's shim, interleaved in one run, plus the
//!   syscalls before exec (strace).
//! * `gox hook-env` with nothing changed and after a `cd`, both builds interleaved.
//! * The stripped sizes of the shim and of both gox builds.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gox_testkit::fixtures;

use crate::Result;
use crate::exec_floor;

/// The shim replays a plan only once every file it depends on is older than 2 s (the racy
/// rule, `gox_plan::is_racy`): measurements start after this, with a record in place.
const RACY: Duration = Duration::from_millis(2100);

/// Wall seconds and peak RSS in KiB, as GNU time reports them.
type Sample = (f64, u64);

struct Opts {
    install_runs: usize,
    shim_runs: usize,
}

pub fn run(args: &[String]) -> Result {
    let mut opts = Opts {
        install_runs: 3,
        shim_runs: 500,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value =
            || -> Result<usize> { Ok(it.next().ok_or(format!("{arg} needs a number"))?.parse()?) };
        match arg.as_str() {
            "--install-runs" => opts.install_runs = value()?,
            "--shim-runs" => opts.shim_runs = value()?,
            other => return Err(format!("unknown bench option {other}").into()),
        }
    }
    let root = workspace_root();
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "gox",
            "-p",
            "gox-shim",
        ])
        .current_dir(&root)
        .status()?;
    if !status.success() {
        return Err("cargo build --release failed".into());
    }
    let glibc_gox = crate::dist::target_dir(&root).join("release/gox");
    let work = tempfile::Builder::new().prefix("gox-bench-").tempdir()?;
    // gox and its shim side by side, as install.sh lays them out: `gox setup` links this shim.
    let shipped = work.path().join("shipped");
    std::fs::create_dir_all(&shipped)?;
    let shipped_gox = shipped.join("gox");
    let musl_shim = shipped.join("gox-shim");
    // Built by the dist's own build: the shim is the static musl replayer users get.
    let [gox, shim] = crate::dist::shipped_binaries(&root, exec_floor::MUSL_TARGET)?;
    std::fs::copy(gox, &shipped_gox)?;
    std::fs::copy(shim, &musl_shim)?;
    let goxes = [
        ("static musl, as shipped", shipped_gox.as_path()),
        ("host `cargo build`, glibc", glibc_gox.as_path()),
    ];
    let server = fixtures().mirror().start();
    let archive = fixtures().archive("1.22.10", "linux/amd64");
    let url = format!("{}{}", server.download_base(), archive.filename);

    let mut report = String::new();
    writeln!(report, "# Benchmarks\n")?;
    writeln!(
        report,
        "Measured by `cargo xtask bench` on {} ({} cores), {}. Release builds; everything served from \
         127.0.0.1; the shim measured is the one the dist ships (its static musl replayer). \
         Reproduce: `cargo xtask fixtures && cargo xtask bench`. On VMs, compare two builds in \
         one interleaved run: a binary's start-up cost also depends on how its file's pages \
         came into the page cache (the no-op section measures both ways).\n",
        cpu_model(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        today()
    )?;

    eprintln!(
        "bench: install vs curl+sha256sum+tar ({} runs each, interleaved)",
        opts.install_runs
    );
    let install = bench_install(&goxes, work.path(), &server, &url, opts.install_runs)?;
    writeln!(
        report,
        "## Install 1.22.10 (linux/amd64, {} MB archive)\n",
        archive.size / 1_000_000
    )?;
    writeln!(
        report,
        "| command | median wall | peak RSS |\n|---|---|---|"
    )?;
    for (name, samples) in &install {
        let wall: Vec<f64> = samples.iter().map(|s| s.0).collect();
        let rss = samples.iter().map(|s| s.1).max().unwrap_or(0);
        writeln!(
            report,
            "| {name} | {:.2} s | {} MB |",
            median(&wall),
            rss / 1024
        )?;
    }
    let wall = |row: &(String, Vec<Sample>)| median(&row.1.iter().map(|s| s.0).collect::<Vec<_>>());
    let curl = wall(&install[install.len() - 1]);
    writeln!(
        report,
        "\ngox / curl+sha256sum+tar = **{:.2}×** as shipped, {:.2}× for the glibc build (target \
         ≤ 0.8×, ≤ 64 MB). gox streams: the SHA-256 and the gzip/tar extraction run while the \
         bytes arrive, then every binary's header and Go build info are verified. Every run \
         starts cold: `sync`, then the page cache dropped (as root), so no run pays for the \
         previous one's writeback.\n",
        wall(&install[0]) / curl,
        wall(&install[1]) / curl
    )?;

    eprintln!(
        "bench: shim overhead ({} runs each, interleaved)",
        opts.shim_runs
    );
    let home = work.path().join("shim-home");
    let env = gox_env(&home, work.path(), &server);
    run_checked(
        Command::new(&shipped_gox)
            .args(["install", "--quiet", "1.22.10"])
            .envs(env.clone()),
    )?;
    run_checked(
        Command::new(&shipped_gox)
            .args(["setup", "--quiet", "--shell", "bash"])
            .envs(env.clone()),
    )?;
    let project = work.path().join("a/b/c/d");
    std::fs::create_dir_all(&project)?;
    std::fs::write(work.path().join("a/.go-version"), "1.22.10\n")?;
    std::fs::write(work.path().join("a/.tool-versions"), "go 1.22.10\n")?; // for mise
    let goroot = home.join("toolchains/go1.22.10.linux-amd64");
    let direct = goroot.join("bin/go");
    // `gox setup` linked the shim shipped next to gox: the dist's static musl replayer.
    let shim = home.join("shims/go");
    let planner = home.join("shims/.gox");
    let floor = exec_floor::c_wrapper(work.path(), &direct);
    let mise = exec_floor::mise_shim(work.path(), &goroot, "1.22.10");
    let run_in = |program: &Path| {
        let mut cmd = Command::new(program);
        // PWD as a shell sets it: a stale one costs gox (and go) two `stat`s to check it.
        cmd.arg("version")
            .current_dir(&project)
            .env("PWD", &project)
            .envs(env.clone());
        cmd
    };
    recorded(&mut run_in(&shim), &home)?;
    // What a run costs when the shim's record is not current (the first `go` in a
    // directory, the first after a change): `gox` itself, run as `go`, decides.
    let deciding = as_go(run_in(&planner));
    let mut cases: Vec<(String, Command)> = vec![
        (
            "toolchain `bin/go version` (direct)".into(),
            run_in(&direct),
        ),
        (
            "gox `shims/go version` (static musl replayer, record current)".into(),
            run_in(&shim),
        ),
    ];
    if let Ok((wrapper, cc)) = &floor {
        cases.push((
            format!("C `execv` wrapper ({cc}): the floor"),
            run_in(wrapper),
        ));
    }
    if let Ok(m) = &mise {
        let mut cmd = run_in(&m.shim);
        cmd.envs(m.env.iter().cloned());
        cases.push((format!("mise {} shim", m.version), cmd));
    }
    cases.push((
        "gox deciding: `gox` run as `go` (what a shim without a current record runs)".into(),
        deciding,
    ));
    let samples = interleave_all(opts.shim_runs, &mut cases)?;
    writeln!(
        report,
        "## Shim overhead: `go version` in a directory 4 levels below its `.go-version`\n"
    )?;
    writeln!(
        report,
        "All rows measured in one run, interleaved ({} runs each after 5 warm-ups).\n",
        opts.shim_runs
    )?;
    writeln!(
        report,
        "| command | median | p90 | vs direct |\n|---|---|---|---|"
    )?;
    let md = median(&samples[0]);
    for ((name, _), xs) in cases.iter().zip(&samples) {
        writeln!(
            report,
            "| {name} | {:.2} ms | {:.2} ms | {:.2}× |",
            median(xs) * 1e3,
            p90(xs) * 1e3,
            median(xs) / md
        )?;
    }
    let ms = median(&samples[1]);
    writeln!(
        report,
        "\nshim / direct = **{:.3}×**, overhead **{:.0} µs** (goenv 33×, mise 46× on these machines \
         in earlier runs).",
        ms / md,
        (ms - md) * 1e6
    )?;
    match &floor {
        Ok(_) => {
            let interval = median_gap_interval(&samples[1], &samples[2]);
            writeln!(
                report,
                "shim − floor = **{:+.0} µs**, 95% interval {:+.0} to {:+.0} µs. The floor is the \
                 same extra exec with nothing else: a ~20 KB static C program. `go version` \
                 itself varies by ±0.5 ms from run to run, so this interval is wide and the \
                 target (≤ +50 µs) is judged below, with a no-op `go`.",
                (ms - median(&samples[2])) * 1e6,
                interval.0 * 1e6,
                interval.1 * 1e6,
            )?;
        }
        Err(why) => writeln!(report, "No floor measured: {why}.")?,
    }
    if let Err(why) = &mise {
        writeln!(report, "mise not measured: {why}.")?;
    }
    let count = |cmd: &mut Command| {
        exec_floor::syscalls_before_exec(cmd, work.path())
            .map_or_else(|| "n/a (no strace)".to_string(), |n| n.to_string())
    };
    writeln!(
        report,
        "\nSyscalls before `exec` of the real `go` (`strace -f`): gox shim **{}** (target ≤ 50), \
         C `execv` wrapper {}.\n",
        count(&mut run_in(&shim)),
        floor
            .as_ref()
            .map_or_else(|_| "n/a".to_string(), |(w, _)| count(&mut run_in(w)))
    )?;
    // `go version` itself varies by ±0.5 ms run to run, which hides tens of µs. The same
    // three ways of starting are measured again with a no-op static program as `go`, many
    // more times: what is left between the rows is the shim's own cost, precisely.
    match bench_noop_target(
        &shipped_gox,
        work.path(),
        &home,
        (&project, &work.path().join("a/.go-version")),
        &env,
        opts.shim_runs * 5,
    ) {
        Ok(rows) => {
            writeln!(
                report,
                "### The shim's own cost, with a no-op `go`\n\nThe same directory and selection, \
                 with `bin/go` replaced by a static C program that exits at once ({} runs each, \
                 interleaved). A program's start-up cost depends on how its pages came into the \
                 page cache, so every program is measured twice: just written (as after an \
                 install or `gox self update`), then evicted and read back from disk (as after \
                 a reboot).\n",
                opts.shim_runs * 5
            )?;
            writeln!(
                report,
                "| command | median, written | p25 | median, read back | p25 |\n|---|---|---|---|---|"
            )?;
            for (name, [written, read_back]) in &rows {
                writeln!(
                    report,
                    "| {name} | {:.0} µs | {:.0} µs | {:.0} µs | {:.0} µs |",
                    median(written) * 1e6,
                    quantile(written, 0.25) * 1e6,
                    median(read_back) * 1e6,
                    quantile(read_back, 0.25) * 1e6
                )?;
            }
            writeln!(report)?;
            let mut verdicts = Vec::new();
            for (state, i) in [("written", 0), ("read back", 1)] {
                let [direct, floor, shim, work] = [0, 1, 2, 3].map(|row| &rows[row].1[i]);
                let interval = median_gap_interval(shim, floor);
                verdicts.push(verdict(interval, 50e-6));
                writeln!(
                    report,
                    "- {state}: shim − floor = **{:+.0} µs**, 95% interval {:+.0} to {:+.0} µs \
                     ({}); work floor − floor = {:+.0} µs; shim − work floor = {:+.0} µs; the \
                     floor costs {:+.0} µs over running the no-op directly (one more exec).",
                    (median(shim) - median(floor)) * 1e6,
                    interval.0 * 1e6,
                    interval.1 * 1e6,
                    verdicts[i],
                    (median(work) - median(floor)) * 1e6,
                    (median(shim) - median(work)) * 1e6,
                    (median(floor) - median(direct)) * 1e6
                )?;
            }
            let overall = if verdicts.iter().all(|v| *v == "met") {
                "met"
            } else if verdicts.contains(&"missed") {
                "missed"
            } else {
                "undecided: an interval straddles it"
            };
            writeln!(
                report,
                "\nTarget shim − floor ≤ +50 µs in both states: **{overall}**.\n\nThe work floor makes \
                 the system calls of deciding from scratch (`getcwd`, a `stat` per config and \
                 pin candidate, the pin read, the receipt locked, the header read, `execve` with \
                 the child's variables) from C with nothing else: work floor − floor is what \
                 gox's job costs in the kernel of this machine, however it is written. The \
                 replaying shim makes about as many (the record read instead of the pin and \
                 header reads, a `stat` for each of those files instead); shim − work floor is \
                 the cost of its own code (start-up, page faults, checking the record).\n"
            )?;
        }
        Err(why) => writeln!(report, "No no-op measurement: {why}.\n")?,
    }

    let hook = bench_hook_env(&goxes, work.path(), &env, opts.shim_runs)?;
    writeln!(report, "## `gox hook-env --shell bash` (prompt hook)\n")?;
    writeln!(
        report,
        "Both builds interleaved in one run ({} runs each).\n",
        opts.shim_runs
    )?;
    writeln!(report, "| gox | case | median | p90 |\n|---|---|---|---|")?;
    for (name, xs) in &hook {
        writeln!(
            report,
            "| {name} | {:.2} ms | {:.2} ms |",
            median(xs) * 1e3,
            p90(xs) * 1e3
        )?;
    }
    writeln!(
        report,
        "\nTargets, for the shipped build: ≤ 1.0 ms unchanged (**{}**), ≤ 3 ms after a `cd` \
         (**{}**); mise 2026.9.15: 1.4 ms.\n",
        // Medians alone: at 1–3 ms, this VM's run-to-run drift dwarfs any interval.
        verdict((median(&hook[0].1), median(&hook[0].1)), 1.0e-3),
        verdict((median(&hook[1].1), median(&hook[1].1)), 3.0e-3)
    )?;

    let size = std::fs::metadata(&musl_shim)?.len();
    writeln!(report, "## Binary sizes (release, stripped)\n")?;
    writeln!(report, "| binary | size |\n|---|---|")?;
    writeln!(
        report,
        "| gox-shim ({}, static) | {} KB (budget 1024 KB) |",
        exec_floor::MUSL_TARGET,
        size / 1024
    )?;
    for (name, gox) in goxes {
        writeln!(
            report,
            "| gox ({name}) | {} KB |",
            std::fs::metadata(gox)?.len() / 1024
        )?;
    }

    let out = root.join("docs/benchmarks.md");
    std::fs::write(&out, &report)?;
    println!("{report}");
    eprintln!("bench: wrote {}", out.display());
    Ok(())
}

fn bench_install(
    goxes: &[(&str, &Path)],
    work: &Path,
    server: &gox_testkit::MirrorServer,
    url: &str,
    runs: usize,
) -> Result<Vec<(String, Vec<Sample>)>> {
    let mut rows: Vec<(String, Vec<Sample>)> = goxes
        .iter()
        .map(|(name, _)| (format!("`gox install 1.22.10` ({name})"), Vec::new()))
        .collect();
    let mut baseline = Vec::new();
    // Each run writes ~250 MB. Without a `sync` first, the kernel's writeback of the previous
    // run's files lands in the next run's time (on these VMs, seconds), and as the page cache
    // fills, the same command's system time grows from 0.5 s to 7 s over a few runs. Flushed
    // and with the page cache dropped (when we may: root), every command starts from the same
    // cold state; its own writeback is left to the kernel, as after a real install.
    let flush = || -> std::io::Result<()> {
        Command::new("sync").status()?;
        let _ = std::fs::write("/proc/sys/vm/drop_caches", "3");
        Ok(())
    };
    for i in 0..runs {
        for ((_, gox), (_, samples)) in goxes.iter().zip(&mut rows) {
            flush()?;
            let home = work.join(format!("install-{i}"));
            let env = gox_env(&home, &home, server);
            let mut cmd = Command::new("/usr/bin/time");
            cmd.args(["-f", "%e %M"])
                .arg(gox)
                .args(["install", "--quiet", "1.22.10"])
                .envs(env);
            samples.push(measure_gnu_time(&mut cmd)?);
            std::fs::remove_dir_all(&home)?;
        }

        let dir = work.join(format!("curl-{i}"));
        std::fs::create_dir_all(&dir)?;
        flush()?;
        let script = format!("curl -sSf -o f {url} && sha256sum f >/dev/null && tar -xzf f");
        let mut cmd = Command::new("/usr/bin/time");
        cmd.args(["-f", "%e %M", "bash", "-c", &script])
            .current_dir(&dir);
        baseline.push(measure_gnu_time(&mut cmd)?);
        std::fs::remove_dir_all(&dir)?;
    }
    rows.push((
        "`curl -o f && sha256sum f && tar -xzf f`".to_string(),
        baseline,
    ));
    Ok(rows)
}

/// `hook-env` of every build in `goxes`, in a project with its state already in the
/// environment (the fast path) and one `cd` away from it, all interleaved. Rows are
/// (build and case, samples), each build's fast path first.
fn bench_hook_env(
    goxes: &[(&str, &Path)],
    work: &Path,
    env: &[(String, PathBuf)],
    runs: usize,
) -> Result<Vec<(String, Vec<f64>)>> {
    let a = work.join("a/b/c/d");
    let b = work.join("b/b/c/d");
    std::fs::create_dir_all(&b)?;
    std::fs::write(work.join("b/.go-version"), "1.22.10\n")?;
    let hook = |gox: &Path, dir: &Path| {
        let mut cmd = Command::new(gox);
        cmd.args(["hook-env", "--shell", "bash"])
            .current_dir(dir)
            .env("PWD", dir)
            .envs(env.iter().cloned());
        cmd
    };
    let mut cases = Vec::new();
    for (name, gox) in goxes {
        // The state a shell holds after a prompt in `a`.
        let out = hook(gox, &a).output()?;
        if !out.status.success() {
            return Err(format!(
                "{} hook-env failed: {}",
                gox.display(),
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        let in_a: Vec<(String, String)> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("export "))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.trim_matches('\'').to_string()))
            .collect();
        for (case, dir) in [
            ("nothing changed (fast path)", &a),
            ("after `cd` into another project", &b),
        ] {
            let mut cmd = hook(gox, dir);
            cmd.envs(in_a.iter().cloned());
            cases.push((format!("{name} | {case}"), cmd));
        }
    }
    let samples = interleave_all(runs, &mut cases)?;
    Ok(cases
        .into_iter()
        .map(|(name, _)| name)
        .zip(samples)
        .collect())
}

/// A no-op row: its name and its samples with the programs just written, then read back.
type NoopRow = (String, [Vec<f64>; 2]);

/// Direct, C floor, the shim and the C work floor, each running a no-op static `go` from a
/// copy of `home`'s 1.22.10 toolchain directory (its receipt included, so the shim does its
/// full work). `pin` is the `.go-version` above `project` that selects it.
fn bench_noop_target(
    gox: &Path,
    work: &Path,
    home: &Path,
    (project, pin): (&Path, &Path),
    env: &[(String, PathBuf)],
    runs: usize,
) -> std::result::Result<Vec<NoopRow>, String> {
    let (noop, _) = exec_floor::c_noop(work)?;
    let name = "toolchains/go1.22.10.linux-amd64";
    let noop_home = work.join("noop-home");
    let goroot = noop_home.join(name);
    let copy = || -> std::io::Result<()> {
        std::fs::create_dir_all(goroot.join("bin"))?;
        std::fs::copy(&noop, goroot.join("bin/go"))?;
        std::fs::copy(
            home.join(name).join(gox_core::layout::RECEIPT_FILE),
            goroot.join(gox_core::layout::RECEIPT_FILE),
        )?;
        Ok(())
    };
    copy().map_err(|e| format!("cannot set up {}: {e}", noop_home.display()))?;
    // Shims of this home's own: a shim replays the records in its own directory, which
    // the planner writes for the GOX_HOME it runs with.
    run_checked(
        Command::new(gox)
            .args(["setup", "--quiet", "--shell", "bash"])
            .envs(env.iter().cloned())
            .env("GOX_HOME", &noop_home),
    )
    .map_err(|e| e.to_string())?;
    let shim = &noop_home.join("shims/go");
    let direct = goroot.join("bin/go");
    let floor_dir = work.join("noop-floor");
    std::fs::create_dir_all(&floor_dir).map_err(|e| e.to_string())?;
    let (floor, _) = exec_floor::c_wrapper(&floor_dir, &direct)?;
    let work_dir = work.join("noop-work-floor");
    std::fs::create_dir_all(&work_dir).map_err(|e| e.to_string())?;
    let (work_floor, _) =
        exec_floor::c_work_floor(&work_dir, &shim_work(project, pin, env, &noop_home)?)?;
    let run = |program: &Path| {
        let mut cmd = Command::new(program);
        cmd.arg("version")
            .current_dir(project)
            .env("PWD", project)
            .envs(env.iter().cloned())
            .env("GOX_HOME", &noop_home);
        cmd
    };
    let programs = [direct.as_path(), &floor, shim, &work_floor];
    let mut cases = vec![
        ("no-op `go` (direct)".to_string(), run(&direct)),
        (
            "C `execv` wrapper → no-op: the floor".to_string(),
            run(&floor),
        ),
        ("gox shim → no-op".to_string(), run(shim)),
        (
            "C program making the shim's system calls → no-op: the work floor".to_string(),
            run(&work_floor),
        ),
    ];
    // The same binary starts at different costs depending on how its pages came into the
    // page cache (docs/architecture.md), so every program is measured in both states.
    let mut states = Vec::new();
    for state in [PageCache::Written, PageCache::ReadBack] {
        for program in programs {
            state
                .prepare(program)
                .map_err(|e| format!("{}: {e}", program.display()))?;
        }
        // A rewritten `bin/go` is a change the shim's record depended on: the shim decides
        // again and records once the new file is 2 s old.
        recorded(&mut run(shim), &noop_home).map_err(|e| e.to_string())?;
        states.push(interleave_all(runs, &mut cases).map_err(|e| e.to_string())?);
    }
    let names: Vec<String> = cases.into_iter().map(|(n, _)| n).collect();
    Ok(names
        .into_iter()
        .enumerate()
        .map(|(i, name)| (name, [states[0][i].clone(), states[1][i].clone()]))
        .collect())
}

/// `cmd` started with argv[0] `go`, as a shim starts its planner.
#[cfg(unix)]
fn as_go(mut cmd: Command) -> Command {
    std::os::unix::process::CommandExt::arg0(&mut cmd, "go");
    cmd
}

/// The bench measures the Linux shim (see `evict`).
#[cfg(not(unix))]
fn as_go(cmd: Command) -> Command {
    cmd
}

/// Waits out the racy window, runs `shim` once so that its planner records the plan, and
/// checks that it did: otherwise every measured run would be the planner's.
fn recorded(shim: &mut Command, home: &Path) -> Result {
    std::thread::sleep(RACY);
    run_checked(shim)?;
    let plans = home.join("shims").join(".plans");
    let found = std::fs::read_dir(&plans).map_or(0, |entries| entries.count());
    if found == 0 {
        return Err(format!("the shim recorded no plan in {}", plans.display()).into());
    }
    Ok(())
}

/// How a program's pages came into the page cache before a measurement.
#[derive(Clone, Copy)]
enum PageCache {
    /// Just written (installed, updated, copied): the state right after `gox self update`.
    Written,
    /// Evicted, then read back from disk by the first run: the state after a reboot or
    /// memory pressure (`echo 3 > /proc/sys/vm/drop_caches` gives the same for every file).
    ReadBack,
}

impl PageCache {
    fn prepare(self, program: &Path) -> std::io::Result<()> {
        match self {
            // A copy renamed over the original: fresh pages under the same name and mode.
            PageCache::Written => {
                let copy = program.with_extension("rewrite");
                std::fs::copy(program, &copy)?;
                std::fs::rename(&copy, program)
            }
            PageCache::ReadBack => evict(program),
        }
    }
}

/// Drops `path`'s pages from the page cache (written back first, as only clean pages go).
#[cfg(target_os = "linux")]
fn evict(path: &Path) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let file = std::fs::File::open(path)?;
    file.sync_all()?;
    // SAFETY: a valid open descriptor; the call only advises the kernel about its pages.
    let err = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    if err == 0 {
        Ok(())
    } else {
        Err(std::io::Error::from_raw_os_error(err))
    }
}

/// The bench measures the Linux release shim only.
#[cfg(not(target_os = "linux"))]
fn evict(_: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other(
        "evicting from the page cache is only done on Linux",
    ))
}

/// The shim's filesystem work in `project` (see [`exec_floor::c_work_floor`]): every pin
/// candidate from `project` up to the directory of `pin`, and what the shim's own plan
/// (`gox_shim::plan`, the shim's code itself) runs and sets.
fn shim_work(
    project: &Path,
    pin: &Path,
    env: &[(String, PathBuf)],
    home: &Path,
) -> std::result::Result<exec_floor::ShimWork, String> {
    let pin_dir = pin.parent().ok_or("a pin file has a directory")?;
    let absent = project
        .ancestors()
        .take_while(|dir| *dir != pin_dir)
        .flat_map(|dir| [dir.join(".go-version"), dir.join(".tool-versions")])
        .collect();
    let fake = gox_core::Environment::fake(
        project,
        env.iter()
            .map(|(k, v)| (k.clone(), v.clone().into_os_string()))
            .chain([("GOX_HOME".to_string(), home.as_os_str().to_owned())]),
    );
    let layout = gox_core::Layout::from_env(&fake).map_err(|e| e.to_string())?;
    let plan = gox_shim::plan(&fake, "go", None).map_err(|e| e.to_string())?;
    Ok(exec_floor::ShimWork {
        config: layout.config_file().to_path_buf(),
        absent,
        pin: pin.to_path_buf(),
        receipt: plan.target.goroot.join(gox_core::layout::RECEIPT_FILE),
        go: plan.program,
        vars: plan
            .vars
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string_lossy().into_owned()))
            .collect(),
    })
}

fn gox_env(
    home: &Path,
    cache_root: &Path,
    server: &gox_testkit::MirrorServer,
) -> Vec<(String, PathBuf)> {
    vec![
        ("GOX_HOME".into(), home.to_path_buf()),
        ("GOX_CACHE_DIR".into(), cache_root.join("cache")),
        ("GOX_CONFIG".into(), cache_root.join("none.toml")),
        ("GOX_FEED_URL".into(), server.feed_url().into()),
        ("GOX_DOWNLOAD_BASE".into(), server.download_base().into()),
    ]
}

fn measure_gnu_time(cmd: &mut Command) -> Result<Sample> {
    let out = cmd.stdout(Stdio::null()).output()?;
    if !out.status.success() {
        return Err(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    let text = String::from_utf8_lossy(&out.stderr);
    let last = text.lines().last().unwrap_or_default();
    let mut parts = last.split_whitespace();
    let wall: f64 = parts.next().ok_or("no time output")?.parse()?;
    let rss: u64 = parts.next().ok_or("no RSS output")?.parse()?;
    Ok((wall, rss))
}

fn run_checked(cmd: &mut Command) -> Result {
    let out = cmd.output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr)).into())
    }
}

fn time(cmd: &mut Command) -> Result<f64> {
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let start = Instant::now();
    let status = cmd.status()?;
    let elapsed = start.elapsed();
    if !status.success() {
        return Err(format!("{cmd:?} failed with {status}").into());
    }
    Ok(elapsed.as_secs_f64())
}

/// Runs every command in turn, `runs` rounds, so drift (thermal, other load) hits all equally.
fn interleave_all(runs: usize, cases: &mut [(String, Command)]) -> Result<Vec<Vec<f64>>> {
    for _ in 0..5 {
        for (_, cmd) in cases.iter_mut() {
            time(cmd)?;
        }
    }
    let mut samples = vec![Vec::with_capacity(runs); cases.len()];
    // Each round starts with the next case: a fixed order gives every case the same
    // neighbour (a 120 ms mise run before the direct `go`, say), a bias of tens of µs.
    for round in 0..runs {
        for offset in 0..cases.len() {
            let i = (round + offset) % cases.len();
            samples[i].push(time(&mut cases[i].1)?);
        }
    }
    Ok(samples)
}

fn median(xs: &[f64]) -> f64 {
    quantile(xs, 0.5)
}

/// A 95% interval for `median(a) − median(b)`, from 1000 resamples of the interleaved rounds
/// (round i measured `a[i]` and `b[i]` back to back, so a round is resampled as a pair).
/// Deterministic: a fixed-seed xorshift picks the rounds.
fn median_gap_interval(a: &[f64], b: &[f64]) -> (f64, f64) {
    let rounds = a.len().min(b.len());
    if rounds == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state % rounds as u64).unwrap_or(0)
    };
    let mut gaps: Vec<f64> = (0..1000)
        .map(|_| {
            let picks: Vec<usize> = (0..rounds).map(|_| next()).collect();
            let sa: Vec<f64> = picks.iter().map(|&i| a[i]).collect();
            let sb: Vec<f64> = picks.iter().map(|&i| b[i]).collect();
            median(&sa) - median(&sb)
        })
        .collect();
    gaps.sort_by(f64::total_cmp);
    (quantile(&gaps, 0.025), quantile(&gaps, 0.975))
}

/// How a measured gap stands against a limit: only a whole interval on one side decides.
fn verdict((low, high): (f64, f64), limit: f64) -> &'static str {
    if high <= limit {
        "met"
    } else if low > limit {
        "missed"
    } else {
        "undecided: the interval straddles it"
    }
}

fn p90(xs: &[f64]) -> f64 {
    quantile(xs, 0.9)
}

fn quantile(xs: &[f64], q: f64) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(((v.len() as f64 - 1.0) * q).round() as usize)
        .copied()
        .unwrap_or(f64::NAN)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

fn today() -> String {
    Command::new("date")
        .arg("+%Y-%m-%d")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gap_intervals_decide_only_when_clear() {
        // a is b + 100 µs with ±1 µs of alternating noise: a tight interval around +100.
        let b: Vec<f64> = (0..400).map(|i| 1e-3 + f64::from(i % 7) * 1e-6).collect();
        let a: Vec<f64> = b
            .iter()
            .enumerate()
            .map(|(i, x)| x + 100e-6 + if i % 2 == 0 { 1e-6 } else { -1e-6 })
            .collect();
        let (low, high) = median_gap_interval(&a, &b);
        assert!(
            low <= 100e-6 + 5e-6 && high >= 100e-6 - 5e-6,
            "{low} {high}"
        );
        assert!(high - low < 20e-6, "{low} {high}");
        assert_eq!(verdict((low, high), 50e-6), "missed");
        assert_eq!(verdict((low, high), 200e-6), "met");
        assert_eq!(
            verdict((40e-6, 60e-6), 50e-6),
            "undecided: the interval straddles it"
        );
        let same = median_gap_interval(&b, &b);
        assert_eq!(same, (0.0, 0.0));
        assert!(median_gap_interval(&[], &[]).0.is_nan());
    }
}
