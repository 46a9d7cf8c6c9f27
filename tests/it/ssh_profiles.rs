//! The profile of the ssh under test: detection from its banner (the
//! modelled name each build of the matrix and of Debian 12 gets), the
//! probes (every one agrees with the profile detected), settling a build
//! from the wrong profile by probes alone, and the `resolve` options that
//! name profiles.

use pushguard::ssh::profile::{Basis, Gssapi, LateUserCheck, Rules, UserExpansion};
use pushguard::ssh::{Profile, Release};

use crate::support::ssh::{report_loudly, witness};
use crate::support::{BIN, Cmd, Sandbox};

/// The modelled name of each build the tests run against, by banner.
const NAMES: &[(&str, &str)] = &[
    ("OpenSSH_8.7p1", "8.7p1"),
    ("OpenSSH_8.9p1", "8.9p1"),
    ("OpenSSH_9.2p1", "9.2p1"),
    ("OpenSSH_9.6p1", "9.6p1"),
    ("OpenSSH_9.9p2", "9.9p2"),
    ("OpenSSH_10.0p2", "10.0p2"),
    ("OpenSSH_10.3p1", "10.3p1"),
    ("OpenSSH_10.5p1", "10.5p1"),
    ("OpenSSH_9.2p1 Debian-2+deb12u6", "9.2p1-debian-deb12u6"),
    ("OpenSSH_9.2p1 Debian-2+deb12u7", "9.2p1-debian-deb12u7"),
    ("OpenSSH_9.2p1 Debian-2+deb12u9", "9.2p1-debian-deb12u9"),
    ("OpenSSH_9.2p1 Debian-2+deb12u10", "9.2p1-debian-deb12u10"),
];

/// The rules as probes can see them: not probed are the wording of `-o
/// Match` and whether `Match !final` asks for the final pass (it needs a
/// config read twice); the check after the files cannot show when the one
/// before them already refused and no user expands.
fn observable(mut r: Rules) -> Rules {
    r.match_directive_message = false;
    r.negated_final_pass = false;
    if r.early_user_check && r.user_expansion == UserExpansion::None {
        r.late_user_check = LateUserCheck::None;
    }
    r
}

#[test]
fn detection_names_the_build() {
    let Some(w) = witness() else { return };
    let p = &w.profile;
    assert_eq!(p.version, w.banner, "Match version sees the banner");
    match NAMES.iter().find(|(b, _)| *b == w.banner) {
        Some((_, name)) => {
            assert_eq!(&p.name, name, "{}", w.banner);
            assert_eq!(p.basis, Basis::Modelled { tested: true }, "{}", w.banner);
            assert_eq!(p.caveat(), None);
        }
        None => report_loudly(&format!(
            "WITNESS {} is not a build the tests know; detected as {} ({}):\n{}",
            w.banner,
            p.name,
            p.basis,
            w.divergences()
        )),
    }
}

#[test]
fn every_probe_agrees_with_the_profile() {
    let Some(w) = witness() else { return };
    let found = w.profile.divergences(w.path.as_os_str());
    let report: Vec<String> = found.iter().map(|d| format!("  {d}")).collect();
    let known = NAMES.iter().any(|(b, _)| *b == w.banner);
    match (found.is_empty(), known) {
        (true, _) => {}
        (false, true) => panic!(
            "{} answers probes otherwise than its profile {}:\n{}",
            w.banner,
            w.profile.name,
            report.join("\n")
        ),
        (false, false) => report_loudly(&format!(
            "WITNESS {} answers probes otherwise than its profile {}:\n{}",
            w.banner,
            w.profile.name,
            report.join("\n")
        )),
    }
}

#[test]
fn probes_settle_a_build_from_the_wrong_profile() {
    let Some(w) = witness() else { return };
    // The banner's release, but every behaviour of the other end of the
    // range and the other vendor patches: what an unknown build with
    // backports looks like before the probes.
    let mut far = Profile::upstream(w.profile.release);
    let other_end = if w.profile.release.at_least(9, 6) {
        Release::new(8, 7, 1)
    } else {
        Release::new(10, 5, 1)
    };
    far.rules = Rules::upstream(other_end);
    far.build.debian_patches = !w.profile.build.debian_patches;
    far.build.gssapi = Gssapi::No;
    let settled = far.clone().settled(w.path.as_os_str());
    let Basis::Probed { found, .. } = &settled.basis else {
        panic!("{:?}", settled.basis)
    };
    assert!(
        found
            .iter()
            .all(|f| !f.contains("no modelled value") && !f.contains("still differs")),
        "{found:#?}"
    );
    // Every behaviour a probe tests is the detected profile's.
    assert_eq!(
        observable(settled.rules),
        observable(w.profile.rules),
        "{found:#?}"
    );
    assert_eq!(settled.build.debian_patches, w.profile.build.debian_patches);
    assert_eq!(settled.build.gssapi, w.profile.build.gssapi);
    assert_eq!(settled.defaults, w.profile.defaults);
}

#[test]
fn resolve_lists_and_names_profiles() {
    let home = Sandbox::new();
    let run = |args: &[&str]| {
        Cmd::isolated(BIN.as_ref(), home.root())
            .arg("resolve")
            .args(args)
    };
    let list = run(&["--profiles"]).ok().stdout;
    for name in [
        "8.7p1",
        "10.5p1",
        "9.2p1-debian-deb12u10",
        "9.9p1-apple",
        "10.3p1-msys",
    ] {
        assert!(
            list.lines().any(|l| l.starts_with(name)),
            "{name} in\n{list}"
        );
    }
    // A named profile runs nothing: Apple's keys from its source.
    let out = run(&["--profile", "9.9p1-apple", "-F", "none", "h"])
        .ok()
        .stdout;
    assert!(out.contains("\napplemultipath no\n"), "{out}");
    let out = run(&["--profile", "10.5p1", "--format", "json", "-F", "none", "h"])
        .ok()
        .json();
    assert_eq!(out["ssh"]["version"], "OpenSSH_10.5p1");
    assert_eq!(out["ssh"]["profile"], "10.5p1");
    // A release between the tested ones, and one after them, say so.
    let out = run(&["--profile", "9.8p1", "-F", "none", "h"]).ok();
    assert!(out.stderr.contains("release notes"), "{}", out.stderr);
    let out = run(&["--profile", "11.0p1", "-F", "none", "h"]).ok();
    assert!(
        out.stderr.contains("newer than anything modelled"),
        "{}",
        out.stderr
    );
    let out = run(&["--profile", "bogus", "h"]).status(3).run();
    assert!(
        out.stderr.contains("no ssh profile named"),
        "{}",
        out.stderr
    );
    // --flavour stays as an alias.
    let out = run(&[
        "--flavour",
        "debian",
        "-o",
        "BatchMode=yes",
        "-F",
        "none",
        "h",
    ])
    .ok()
    .stdout;
    assert!(out.contains("\nserveraliveinterval 300\n"), "{out}");
}

#[test]
fn resolve_models_the_ssh_it_is_given() {
    let Some(w) = witness() else { return };
    let home = Sandbox::new();
    let path = w.path.display().to_string();
    let out = Cmd::isolated(BIN.as_ref(), home.root())
        .args([
            "resolve",
            "--ssh",
            path.as_str(),
            "--format",
            "json",
            "-F",
            "none",
            "h",
        ])
        .ok()
        .json();
    assert_eq!(out["ssh"]["version"], w.banner.as_str());
    assert_eq!(out["ssh"]["profile"], w.profile.name.as_str());
    let out = Cmd::isolated(BIN.as_ref(), home.root())
        .args(["resolve", "--ssh", "/nonexistent/ssh", "h"])
        .status(3)
        .run();
    assert!(
        out.stderr.contains("cannot run /nonexistent/ssh -V"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_unknown_build_is_settled_by_probes() {
    let Some(w) = witness() else { return };
    // The witness under a vendor suffix nobody models: the banner names
    // only the release, the probes and the default table the rest.
    let home = Sandbox::new();
    let banner = format!("OpenSSH_{} Someone-1", w.profile.release);
    let fake = home.write_exec(
        "bin/ssh",
        &format!(
            "#!/bin/sh\nif [ \"$1\" = -V ]; then echo '{banner}, OpenSSL 3' >&2; exit 0; fi\nexec {} \"$@\"\n",
            w.path.display()
        ),
        0o755,
    );
    let p = Profile::detect(&fake).unwrap();
    assert_eq!(p.version, banner);
    let Basis::Probed { found, .. } = &p.basis else {
        panic!("{:?}", p.basis)
    };
    assert!(
        found.iter().all(|f| !f.contains("no modelled value")),
        "{found:#?}"
    );
    assert!(
        p.caveat()
            .is_some_and(|c| c.contains("not a modelled build"))
    );
    assert_eq!(
        observable(p.rules),
        observable(w.profile.rules),
        "{found:#?}"
    );
    assert!(p.divergences(fake.as_os_str()).is_empty());
}

#[test]
fn a_homebrew_ssh_reads_the_system_file_of_its_prefix() {
    // `brew install openssh`: the program in its keg, linked from bin/;
    // --sysconfdir=#{etc}/ssh (Homebrew/homebrew-core Formula/o/openssh.rb).
    let s = Sandbox::new();
    s.write_exec(
        "brew/Cellar/openssh/9.2p1/bin/ssh",
        "#!/bin/sh\n[ \"$1\" = -V ] || exit 1\necho 'OpenSSH_9.2p1 Debian-2+deb12u10, OpenSSL 3.0.19' >&2\n",
        0o755,
    );
    std::fs::create_dir_all(s.path("brew/bin")).unwrap();
    std::os::unix::fs::symlink("../Cellar/openssh/9.2p1/bin/ssh", s.path("brew/bin/ssh")).unwrap();
    s.write("brew/etc/ssh/ssh_config", "Include conf.d/*.conf\n");
    s.write(
        "brew/etc/ssh/conf.d/brew.conf",
        "Host pushguard-brew-test\n  User brewed\n",
    );
    let etc = std::fs::canonicalize(s.path("brew"))
        .unwrap()
        .join("etc/ssh");
    let ssh = s.path("brew/bin/ssh").display().to_string();
    let resolve = |args: &[&str]| {
        Cmd::isolated(BIN.as_ref(), s.root())
            .args(["resolve", "--ssh", ssh.as_str()])
            .args(args)
            .arg("pushguard-brew-test")
            .ok()
            .stdout
    };
    let out = resolve(&[]);
    assert!(out.contains("\nuser brewed\n"), "{out}");
    let known = format!(
        "\nglobalknownhostsfile {0}/ssh_known_hosts {0}/ssh_known_hosts2\n",
        etc.display()
    );
    assert!(out.contains(&known), "{out}");
    let out = resolve(&["--explain"]);
    let origin = format!("user brewed\t# {}/conf.d/brew.conf:2", etc.display());
    assert!(out.contains(&origin), "{out}");
}
