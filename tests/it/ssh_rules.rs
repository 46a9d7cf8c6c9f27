//! Hand-written cases, one or more per rule of issue 3, each checked against
//! the real `ssh -G` (whole output) and then for the value and origin the
//! rule is about.

use std::path::{Path, PathBuf};

use pushguard::ssh::{
    ConfigError, ExecPolicy, Flavour, Origin, Resolution, ResolveEnv, ResolveRequest, resolve,
};

use crate::support::Sandbox;
use crate::support::ssh::witness;

/// A temp dir with config files.
struct Case {
    dir: Sandbox,
}

impl Case {
    fn new() -> Case {
        Case {
            dir: Sandbox::new(),
        }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path(name)
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        self.dir.write(name, text)
    }
    /// Writes `config`, checks builtin == `ssh -G -F config args…`, returns
    /// the builtin resolution.
    fn check(&self, config: &str, args: &[&str]) -> Option<Resolution> {
        let w = witness()?;
        let cfg = self.write("config", config);
        let mut argv = vec!["-F".to_string(), cfg.display().to_string()];
        argv.extend(args.iter().map(|s| s.to_string()));
        let env = w.env(self.dir.root());
        if let Err(d) = w.compare(&argv, &env) {
            panic!("builtin differs from ssh -G for {argv:?}:\n{d}\n{config}");
        }
        let req = ResolveRequest::from_ssh_args(&argv).unwrap();
        Some(resolve(&req, &env).unwrap())
    }
    /// Like `check` but ssh must reject; returns our error and ssh's stderr.
    fn reject(&self, config: &str, args: &[&str]) -> Option<(ConfigError, String)> {
        let w = witness()?;
        let cfg = self.write("config", config);
        let mut argv = vec!["-F".to_string(), cfg.display().to_string()];
        argv.extend(args.iter().map(|s| s.to_string()));
        let real = w.ssh_g(&argv, self.dir.root());
        assert!(!real.ok, "ssh accepted {argv:?}");
        let env = w.env(self.dir.root());
        let err = ResolveRequest::from_ssh_args(&argv)
            .and_then(|r| resolve(&r, &env))
            .expect_err("builtin accepted what ssh rejects");
        Some((err, real.stderr))
    }
}

fn val(r: &Resolution, key: &str) -> String {
    r.effective.get(key).unwrap().value.clone()
}

fn origin(r: &Resolution, key: &str) -> Origin {
    r.effective.get(key).unwrap().origin.clone()
}

fn at(p: &Path, line: usize) -> Origin {
    Origin::File {
        path: p.to_path_buf(),
        line,
    }
}

#[test]
fn issue_example_match_body_does_not_leak_into_host_block() {
    let c = Case::new();
    let cfg = "Host bitbucket.example.com\n    Port 7999\n    User git\nMatch host *.ci.example.com\n    ServerAliveInterval 30\n";
    let Some(r) = c.check(cfg, &["bitbucket.example.com"]) else {
        return;
    };
    assert_eq!(val(&r, "serveraliveinterval"), "0");
    assert_eq!(origin(&r, "serveraliveinterval"), Origin::Default);
    assert_eq!(val(&r, "port"), "7999");
    assert_eq!(origin(&r, "port"), at(&c.path("config"), 2));
}

#[test]
fn first_value_wins_and_shadowed_lines_are_reported() {
    let c = Case::new();
    let cfg = "Host *\n  ServerAliveInterval 0\n  ServerAliveInterval 15\nHost h\n  ServerAliveInterval 30\n  TCPKeepAlive no\n";
    let Some(r) = c.check(cfg, &["h"]) else {
        return;
    };
    let p = c.path("config");
    assert_eq!(val(&r, "serveraliveinterval"), "0");
    assert_eq!(origin(&r, "serveraliveinterval"), at(&p, 2));
    let lost: Vec<_> = r
        .shadowed
        .iter()
        .filter(|s| s.key == "serveraliveinterval")
        .collect();
    assert_eq!(lost.len(), 2);
    assert_eq!(lost[0].origin, at(&p, 3));
    assert_eq!(lost[1].origin, at(&p, 5));
    assert_eq!(lost[1].winner.as_ref().unwrap().origin, at(&p, 2));
    assert!(r.explain().contains("shadowed: serveraliveinterval 30"));
    assert_eq!(val(&r, "tcpkeepalive"), "no");
}

#[test]
fn command_line_beats_files() {
    let c = Case::new();
    let cfg = "Host h\n  ServerAliveInterval 30\n  Port 2\n";
    let Some(r) = c.check(cfg, &["-o", "ServerAliveInterval=5", "h"]) else {
        return;
    };
    assert_eq!(val(&r, "serveraliveinterval"), "5");
    assert_eq!(origin(&r, "serveraliveinterval"), Origin::CommandLine);
    assert_eq!(r.shadowed[0].origin, at(&c.path("config"), 2));
}

#[test]
fn accumulating_options() {
    let c = Case::new();
    let cfg = "Host *\n IdentityFile ~/.ssh/a\n IdentityFile ~/.ssh/b\n IdentityFile ~/.ssh/a\n CertificateFile /tmp/c1\n SendEnv A B C*\n SendEnv -B\n LocalForward 1 h:2\n LocalForward 3 h:4\n RemoteForward 5 h:6\n DynamicForward 7\n";
    let Some(r) = c.check(cfg, &["-i", "/etc/hostname", "h"]) else {
        return;
    };
    let ids: Vec<_> = r
        .effective
        .get_all("identityfile")
        .iter()
        .map(|v| v.value.clone())
        .collect();
    assert_eq!(ids, ["/etc/hostname", "~/.ssh/a", "~/.ssh/b"]);
    assert_eq!(r.effective.get_all("sendenv").len(), 2);
    assert_eq!(r.effective.get_all("localforward").len(), 2);
}

#[test]
fn proxyjump_and_proxycommand_exclude_each_other() {
    let c = Case::new();
    let Some(r) = c.check("ProxyJump j1\nProxyCommand nc %h %p\n", &["h"]) else {
        return;
    };
    assert_eq!(val(&r, "proxyjump"), "j1");
    assert!(r.effective.get("proxycommand").is_none());
    let r = c
        .check("ProxyCommand nc %h %p\nProxyJump j1\n", &["h"])
        .unwrap();
    assert_eq!(val(&r, "proxycommand"), "nc %h %p");
    assert!(r.effective.get("proxyjump").is_none());
    c.check("ProxyJump none\nProxyCommand nc\n", &["h"])
        .unwrap();
    c.check("", &["-J", "u@[::1]:2,j2", "h"]).unwrap();
}

#[test]
fn serveraliveinterval_none_leaves_it_unset() {
    let c = Case::new();
    let cfg = "Host *\n ServerAliveInterval none\nHost h\n ServerAliveInterval 1m30s\n";
    let Some(r) = c.check(cfg, &["h"]) else {
        return;
    };
    assert_eq!(val(&r, "serveraliveinterval"), "90");
}

#[test]
fn command_line_order_rules() {
    let c = Case::new();
    let Some(r) = c.check("", &["-o", "Port=1", "-p", "2", "h"]) else {
        return;
    };
    assert_eq!(val(&r, "port"), "1");
    assert_eq!(val(&c.check("", &["-l", "a", "b@h"]).unwrap(), "user"), "a");
    assert_eq!(val(&c.check("", &["b@h", "-l", "a"]).unwrap(), "user"), "b");
    let r = c.check("", &["x@y@h"]).unwrap();
    assert_eq!(
        (val(&r, "user"), val(&r, "hostname")),
        ("x@y".into(), "h".into())
    );
    let r = c.check("", &["ssh://u@h:2022"]).unwrap();
    assert_eq!(
        (val(&r, "user"), val(&r, "port")),
        ("u".into(), "2022".into())
    );
    let r = c.check("AddressFamily inet6\n", &["-4", "h"]).unwrap();
    assert_eq!(val(&r, "addressfamily"), "inet");
    c.check("", &["-6", "-o", "AddressFamily=inet", "h"])
        .unwrap();
    c.check("", &["-J", "j1", "-o", "ProxyJump=j2", "h"])
        .unwrap();
}

#[test]
fn host_patterns() {
    let c = Case::new();
    let cfg = "Host a,b\n Port 1\nHost B\n Port 2\nHost h? !hx\n Port 3\nHost !q\n Port 4\nHost *.example.com\n Port 5\n";
    for (host, port) in [
        ("a,b", "1"),
        ("b", "22"),
        ("B", "2"),
        ("h1", "3"),
        ("hx", "22"),
        ("q", "22"),
        ("x.example.com", "5"),
    ] {
        let Some(r) = c.check(cfg, &[host]) else {
            return;
        };
        assert_eq!(val(&r, "port"), port, "host {host}");
    }
}

#[test]
fn match_criteria() {
    let c = Case::new();
    let cfg = "Match host REAL.example.com user git\n Port 1\nMatch originalhost ALIAS !user root\n Port 2\nMatch localuser *\n ConnectTimeout 5\nMatch !host *.example.com,!x\n Compression yes\nMatch all\n User git\n";
    let Some(r) = c.check(
        &format!("Host alias\n HostName real.%h.example.com\n{cfg}"),
        &["alias"],
    ) else {
        return;
    };
    assert_eq!(val(&r, "hostname"), "real.alias.example.com");
    c.check(
        &format!("Host alias\n HostName real.example.com\n{cfg}"),
        &["-l", "git", "alias"],
    )
    .unwrap();
    c.check(cfg, &["ALIAS"]).unwrap();
    c.check("Match canonical\n Port 1\nMatch !final\n Port 2\n", &["h"])
        .unwrap();
    c.check("Match exec true host h\n Port 7\n", &["h"])
        .unwrap();
    c.check("Match exec \"test %p = 22\"\n Port 8\n", &["h"])
        .unwrap();
    c.check("Match user git\n Port 9\n", &["git@h"]).unwrap();
    let (e, stderr) = c.reject("Match foo x\n", &["h"]).unwrap();
    assert!(stderr.contains("Unsupported Match attribute foo"));
    assert!(e.to_string().contains("line 1: Bad Match condition"), "{e}");
    c.reject("Match all host x\n", &["h"]).unwrap();
    c.reject("Match host\n", &["h"]).unwrap();
}

#[test]
fn final_pass_rereads_with_canonical_hostname() {
    let c = Case::new();
    let cfg = "Host alias\n HostName Target.Example.NET\n CanonicalizeHostname yes\nHost target.example.net\n Port 1234\nMatch canonical\n User can\n";
    let Some(r) = c.check(cfg, &["alias"]) else {
        return;
    };
    assert_eq!(val(&r, "port"), "1234");
    assert_eq!(val(&r, "user"), "can");
    let r = c
        .check("Match final host z\n Port 4\nHost y\n HostName z\n", &["y"])
        .unwrap();
    assert_eq!(val(&r, "port"), "4");
}

#[test]
fn includes() {
    let c = Case::new();
    let d = c.dir.root().display().to_string();
    c.write("inc/b.conf", "Port 2\nHost other\nUser nobody\n");
    c.write("inc/a.conf", "Host h\n ServerAliveInterval 7\n");
    c.write("inc/c.conf", "Match all\n Compression yes\n");
    let cfg = format!(
        "Host nothere\nInclude {d}/inc/*.conf\nHost h\nInclude {d}/none-*.conf {d}/inc/b.conf\nUser u\n"
    );
    let Some(r) = c.check(&cfg, &["h"]) else {
        return;
    };
    // Included from an inactive block, a file's own `Host h` never matches.
    assert_eq!(val(&r, "serveraliveinterval"), "0");
    assert_eq!(val(&r, "port"), "2");
    assert_eq!(val(&r, "user"), "u");
    assert_eq!(origin(&r, "port"), at(&c.path("inc/b.conf"), 1));
    // Self-inclusion stops at depth 16.
    let me = c.path("config").display().to_string();
    c.reject(&format!("Include {me}\n"), &["h"]).unwrap();
    // Relative includes go under ~/.ssh/ and are ignored when missing.
    c.check("Include does-not-exist.conf\n", &["h"]).unwrap();
}

#[test]
fn syntax_forms() {
    let c = Case::new();
    let cfg = "# comment\n\n  PORT=1\nserveraliveinterval = 1m30s # trailing\n\"User\" \"a b\"\nHostName=\"h\\\"x\"\nIdentityFile 'x y' \nSendEnv A\\ B\n";
    let Some(r) = c.check(cfg, &["h"]) else {
        return;
    };
    assert_eq!(val(&r, "serveraliveinterval"), "90");
    assert_eq!(val(&r, "user"), "a b");
    let (e, stderr) = c.reject("Host h\n Port 22 23\n", &["h"]).unwrap();
    assert!(stderr.contains(&e.to_string()), "{e} vs {stderr}");
    let (e, stderr) = c.reject("Host h\n Bogus 1\n", &["h"]).unwrap();
    assert!(stderr.contains(&e.to_string()), "{e} vs {stderr}");
    c.check("IgnoreUnknown Bog*\nBogus 1\n", &["h"]).unwrap();
    let (e, stderr) = c.reject("Port \"22\n", &["h"]).unwrap();
    assert!(stderr.contains(&e.to_string()), "{e} vs {stderr}");
    c.reject("ServerAliveInterval 1x\n", &["h"]).unwrap();
    c.reject("", &["-o", "Host=x", "h"]).unwrap();
}

#[test]
fn hostname_output() {
    let c = Case::new();
    let Some(r) = c.check("HostName %h.Example.%%\n", &["h"]) else {
        return;
    };
    assert_eq!(val(&r, "hostname"), "h.Example.%");
    assert_eq!(
        val(
            &c.check("HostName %h.Example\n", &["h"]).unwrap(),
            "hostname"
        ),
        "h.example"
    );
    assert_eq!(
        val(&c.check("", &["127.1"]).unwrap(), "hostname"),
        "127.0.0.1"
    );
    c.check("", &["0x7f.1"]).unwrap();
    c.check("", &["::FFFF:1.2.3.4"]).unwrap();
}

#[test]
fn debian_flavour_batchmode_keepalive() {
    let c = Case::new();
    let Some(r) = c.check("BatchMode yes\n", &["h"]) else {
        return;
    };
    if Flavour::detect() == Flavour::Debian {
        assert_eq!(val(&r, "serveraliveinterval"), "300");
    }
    // The upstream flavour keeps 0 (no ssh needed).
    let mut env = ResolveEnv::current(Flavour::OpenBsd, ExecPolicy::Run);
    env.user_config = c.path("nope");
    let mut req = ResolveRequest::new("h").option("BatchMode yes");
    req.config = Some("none".into());
    let r = resolve(&req, &env).unwrap();
    assert_eq!(val(&r, "serveraliveinterval"), "0");
}

#[test]
fn unknown_exec_is_a_third_value() {
    let c = Case::new();
    let cfg = "Match exec \"test -e /nonexistent\"\n ServerAliveInterval 30\nMatch exec true\n Compression yes\n";
    let Some(_) = c.check(cfg, &["h"]) else {
        return;
    };
    let env = ResolveEnv::current(Flavour::detect(), ExecPolicy::Unknown);
    let p = c.path("config");
    let req =
        ResolveRequest::from_ssh_args(&["-F".into(), p.display().to_string(), "h".into()]).unwrap();
    let r = resolve(&req, &env).unwrap();
    assert_eq!(r.exec_unknown, vec![at(&p, 1), at(&p, 3)]);
    assert_eq!(r.keepalive_depends_on_exec, vec![at(&p, 1)]);
    assert!(r.explain().contains("Match exec at"));
    let j = r.to_json();
    assert_eq!(
        j["keepalive_depends_on_exec"][0],
        format!("{}:1", p.display())
    );
}

#[test]
fn json_has_values_and_origins() {
    let c = Case::new();
    let Some(r) = c.check(
        "Host h\n ServerAliveInterval 20\n ServerAliveInterval 40\n",
        &["h"],
    ) else {
        return;
    };
    let j = r.to_json();
    let opts = j["options"].as_array().unwrap();
    let sai = opts
        .iter()
        .find(|o| o["key"] == "serveraliveinterval")
        .unwrap();
    assert_eq!(sai["values"][0]["value"], "20");
    assert_eq!(j["shadowed"][0]["value"], "40");
}

#[test]
fn system_file_without_f() {
    // ssh reads ~/.ssh/config of the passwd home, then /etc/ssh/ssh_config;
    // we only compare when there is no user file, so that nothing in a real
    // user file runs.
    let Some(w) = witness() else { return };
    let home = Sandbox::new();
    let env = w.env(home.root());
    if env.user_config.exists() {
        eprintln!(
            "SKIPPING system_file_without_f: {} exists",
            env.user_config.display()
        );
        return;
    }
    for host in ["h", "b.example.com"] {
        w.compare(&[host.to_string()], &env).unwrap();
    }
}

#[test]
fn deliberate_difference_no_dns() {
    // The builtin resolver does no DNS: a config whose answer needs a
    // lookup is refused with NeedsDns instead of guessed.
    let c = Case::new();
    let p = c.write("config", "CanonicalizePermittedCNAMEs *.a:*.b\n");
    let env = ResolveEnv::current(Flavour::Debian, ExecPolicy::Unknown);
    let req =
        ResolveRequest::from_ssh_args(&["-F".into(), p.display().to_string(), "h".into()]).unwrap();
    assert!(matches!(resolve(&req, &env), Err(ConfigError::NeedsDns(_))));
    // A suffix under .invalid never resolves, so ssh agrees: with fallback
    // off both refuse, with fallback on both keep the name.
    let cfg = "CanonicalizeHostname yes\nCanonicalDomains invalid\nCanonicalizeFallbackLocal no\n";
    c.reject(cfg, &["h"]);
    c.check(
        "CanonicalizeHostname yes\nCanonicalDomains invalid\n",
        &["h"],
    );
}

#[test]
fn algorithm_lists() {
    let c = Case::new();
    let Some(r) = c.check("Ciphers aes128-ctr,aes128-ctr\nMACs -hmac-sha1*\n", &["h"]) else {
        return;
    };
    assert_eq!(val(&r, "ciphers"), "aes128-ctr");
    c.reject("Ciphers bogus\n", &["h"]);
    c.check("KexAlgorithms ^curve25519-sha256\n", &["h"]);
}

#[test]
fn canonicalize_without_fallback_rejects_short_names_even_without_domains() {
    // ssh gives up on a name with few enough dots (or a trailing dot) when
    // CanonicalizeFallbackLocal is no, whether or not CanonicalDomains has a
    // suffix to try; a name with more dots is left alone.
    let c = Case::new();
    for domains in ["", "CanonicalDomains none\n", "CanonicalDomains invalid\n"] {
        let cfg = format!("CanonicalizeHostname yes\nCanonicalizeFallbackLocal no\n{domains}");
        for host in ["x", "a.b", "a.b.c."] {
            let Some((e, stderr)) = c.reject(&cfg, &[host]) else {
                return;
            };
            assert!(stderr.contains("Could not resolve host"), "{stderr}");
            assert!(e.to_string().contains("Could not resolve host"), "{e}");
        }
        c.check(&cfg, &["a.b.c"]).unwrap();
        c.check(&cfg, &["10.1"]).unwrap();
    }
}
