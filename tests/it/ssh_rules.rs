//! Hand-written cases, one or more per rule of issue 3. Each states its
//! answer (accept or reject, and the values, origins or message the rule is
//! about), checked against the builtin resolver; where builds differ the
//! answer is stated per profile and checked under every modelled profile
//! ([`Case::each`]). The real `ssh -G` is the second witness: its whole
//! output is compared with the builtin's under the witness's profile, and
//! [`KNOWN`] lists, per ssh build, the differences each test may show. A
//! build not in the table is reported with the probes it answers otherwise
//! than its profile predicts (the behaviour, and how to settle it).

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use pushguard::ssh::{
    ConfigError, ExecPolicy, Origin, Profile, Resolution, ResolveEnv, ResolveRequest, resolve,
};

use crate::support::Sandbox;
use crate::support::ssh::{
    Difference, Kind, SshOut, Table, Witness, differ, judge, report_loudly, resolve_env, witness,
};

/// The differences each ssh build shows against the builtin resolver (as
/// it models that build), and in which rule tests. Every build of the
/// matrix and the Debian 12 updates agree everywhere: the deliberate
/// differences are the builtin's own (see docs/resolve.md), tested on
/// their own.
pub const KNOWN: &Table = &[
    ("OpenSSH_8.7p1", &[]),
    ("OpenSSH_8.9p1", &[]),
    ("OpenSSH_9.2p1", &[]),
    ("OpenSSH_9.6p1", &[]),
    ("OpenSSH_9.9p2", &[]),
    ("OpenSSH_10.0p2", &[]),
    ("OpenSSH_10.3p1", &[]),
    ("OpenSSH_10.5p1", &[]),
    ("OpenSSH_9.2p1 Debian-2+deb12u6", &[]),
    ("OpenSSH_9.2p1 Debian-2+deb12u7", &[]),
    ("OpenSSH_9.2p1 Debian-2+deb12u9", &[]),
    ("OpenSSH_9.2p1 Debian-2+deb12u10", &[]),
];

/// What a rule states for one profile: the values printed (`None`: the
/// key is not printed; several values joined by ` / `), or the words of
/// the refusal.
pub type Want = Result<Vec<(&'static str, Option<String>)>, &'static str>;

/// [`Want`]: these keys print these values.
pub fn prints(pairs: &[(&'static str, &str)]) -> Want {
    Ok(pairs
        .iter()
        .map(|(k, v)| (*k, Some(v.to_string())))
        .collect())
}

/// [`Want`]: this key is not printed.
pub fn absent(key: &'static str) -> Want {
    Ok(vec![(key, None)])
}

/// A rule test's config files, its stated answers and its witness.
pub struct Case {
    test: &'static str,
    /// Its files.
    pub dir: Sandbox,
    witness: Option<&'static Witness>,
    /// The environment of the builtin beside the witness.
    pub env: ResolveEnv,
    seen: RefCell<Vec<Difference>>,
}

impl Case {
    pub fn new(test: &'static str) -> Case {
        let dir = Sandbox::new();
        let witness = witness();
        let env = resolve_env(witness, dir.root());
        Case {
            test,
            dir,
            witness,
            env,
            seen: RefCell::default(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        self.dir.write(name, text)
    }

    /// The witness's profile (upstream's newest without a witness).
    pub fn profile(&self) -> &Profile {
        &self.env.profile
    }

    /// `-F config args…` after writing `config`.
    pub fn argv(&self, config: &str, args: &[&str]) -> Vec<String> {
        let cfg = self.write("config", config);
        let mut argv = vec!["-F".to_string(), cfg.display().to_string()];
        argv.extend(args.iter().map(|s| s.to_string()));
        argv
    }

    fn builtin(&self, argv: &[String]) -> Result<Resolution, ConfigError> {
        self.builtin_as(argv, &self.env.profile)
    }

    /// The builtin modelling `profile`.
    pub fn builtin_as(
        &self,
        argv: &[String],
        profile: &Profile,
    ) -> Result<Resolution, ConfigError> {
        let mut env = self.env.clone();
        env.profile = profile.clone();
        ResolveRequest::from_ssh_args(argv).and_then(|r| resolve(&r, &env))
    }

    /// The answer `want(p)` states for `ssh -G -F config args…` must be the
    /// builtin's under every modelled profile `p` (and the witness's); ssh
    /// witnesses under its own.
    pub fn each(&self, config: &str, args: &[&str], want: impl Fn(&Profile) -> Want) {
        let argv = self.argv(config, args);
        let mut profiles = Profile::modelled();
        if !profiles.contains(self.profile()) {
            profiles.push(self.profile().clone());
        }
        for p in &profiles {
            let got = self.builtin_as(&argv, p);
            let at = || format!("{} (profile {}):\n{config}", argv.join(" "), p.name);
            match (want(p), &got) {
                (Ok(pairs), Ok(r)) => {
                    for (key, value) in pairs {
                        let printed: Vec<String> = r
                            .effective
                            .get_all(key)
                            .iter()
                            .map(|v| v.value.clone())
                            .collect();
                        let printed = (!printed.is_empty()).then(|| printed.join(" / "));
                        assert_eq!(printed, value, "{key} of {}", at());
                    }
                }
                (Err(words), Err(e)) => {
                    assert!(
                        e.to_string().contains(words),
                        "{e} lacks {words:?}: {}",
                        at()
                    )
                }
                (Ok(_), Err(e)) => panic!("the builtin rejects {}: {e}", at()),
                (Err(words), Ok(_)) => panic!("the builtin accepts {} (want {words:?})", at()),
            }
        }
        let ours = self
            .builtin(&argv)
            .map(|r| r.dump())
            .map_err(|e| e.to_string());
        self.witness(&argv, &ours);
    }

    /// The builtin must accept `ssh -G -F config args…`; ssh witnesses.
    pub fn accepts(&self, config: &str, args: &[&str]) -> Resolution {
        self.accepts_argv(&self.argv(config, args))
    }

    /// The builtin must accept `argv`; ssh witnesses.
    pub fn accepts_argv(&self, argv: &[String]) -> Resolution {
        let r = self
            .builtin(argv)
            .unwrap_or_else(|e| panic!("the builtin rejects {argv:?}: {e}"));
        self.witness(argv, &Ok(r.dump()));
        r
    }

    /// The builtin must reject, its message holding each of `words`; ssh
    /// witnesses (it rejects too, and says the same words).
    pub fn rejects(&self, config: &str, args: &[&str], words: &[&str]) -> ConfigError {
        let argv = self.argv(config, args);
        let Err(e) = self.builtin(&argv) else {
            panic!("the builtin accepts {argv:?}:\n{config}")
        };
        for w in words {
            assert!(e.to_string().contains(w), "{e} lacks {w:?}");
        }
        let Some(real) = self.witness(&argv, &Err(e.to_string())) else {
            return e;
        };
        for w in words
            .iter()
            .filter(|w| !real.ok && !real.stderr.contains(**w))
        {
            let kind = Kind::Message {
                expected: w.to_string(),
                ssh: real.stderr.clone(),
            };
            self.saw(&argv, kind);
        }
        e
    }

    /// Asks the witness, keeping any difference for the end; what ssh said.
    fn witness(&self, argv: &[String], ours: &Result<String, String>) -> Option<SshOut> {
        let real = self.witness?.ssh_g(argv, self.dir.root());
        if let Err(kind) = differ(&real, ours) {
            self.saw(argv, kind);
        }
        Some(real)
    }

    fn saw(&self, argv: &[String], kind: Kind) {
        let root = self.dir.root().display().to_string();
        let config = std::fs::read_to_string(self.path("config")).unwrap_or_default();
        self.seen.borrow_mut().push(Difference {
            args: argv.join(" ").replace(&root, "$DIR"),
            config,
            kind,
        });
    }
}

impl Drop for Case {
    /// Judges what the witness saw against [`KNOWN`] once the test is done.
    fn drop(&mut self) {
        let Some(w) = self.witness.filter(|_| !std::thread::panicking()) else {
            return;
        };
        match judge(KNOWN, &w.banner, self.test, &self.seen.borrow()) {
            Ok(None) => {}
            Ok(Some(report)) => report_loudly(&format!("{report}\n{}", w.divergences())),
            Err(why) => panic!("{why}\n{}", w.divergences()),
        }
    }
}

pub fn val(r: &Resolution, key: &str) -> String {
    r.effective
        .get(key)
        .unwrap_or_else(|| panic!("no {key}"))
        .value
        .clone()
}

pub fn vals(r: &Resolution, key: &str) -> Vec<String> {
    r.effective
        .get_all(key)
        .iter()
        .map(|v| v.value.clone())
        .collect()
}

pub fn origin(r: &Resolution, key: &str) -> Origin {
    r.effective.get(key).unwrap().origin.clone()
}

pub fn at(p: &Path, line: usize) -> Origin {
    Origin::File {
        path: p.to_path_buf(),
        line,
    }
}

/// How `Compression yes` prints (9.9 prints UNKNOWN).
pub fn compression_yes(p: &Profile) -> &'static str {
    match p.rules.compression_prints_unknown {
        true => "UNKNOWN",
        false => "yes",
    }
}

#[test]
fn issue_example_match_body_does_not_leak_into_host_block() {
    let c = Case::new("issue_example_match_body_does_not_leak_into_host_block");
    let cfg = "Host bitbucket.example.com\n    Port 7999\n    User git\nMatch host *.ci.example.com\n    ServerAliveInterval 30\n";
    let r = c.accepts(cfg, &["bitbucket.example.com"]);
    assert_eq!(val(&r, "serveraliveinterval"), "0");
    assert_eq!(origin(&r, "serveraliveinterval"), Origin::Default);
    assert_eq!(val(&r, "port"), "7999");
    assert_eq!(origin(&r, "port"), at(&c.path("config"), 2));
}

#[test]
fn first_value_wins_and_shadowed_lines_are_reported() {
    let c = Case::new("first_value_wins_and_shadowed_lines_are_reported");
    let cfg = "Host *\n  ServerAliveInterval 0\n  ServerAliveInterval 15\nHost h\n  ServerAliveInterval 30\n  TCPKeepAlive no\n";
    let r = c.accepts(cfg, &["h"]);
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
    let c = Case::new("command_line_beats_files");
    let cfg = "Host h\n  ServerAliveInterval 30\n  Port 2\n";
    let r = c.accepts(cfg, &["-o", "ServerAliveInterval=5", "h"]);
    assert_eq!(val(&r, "serveraliveinterval"), "5");
    assert_eq!(origin(&r, "serveraliveinterval"), Origin::CommandLine);
    assert_eq!(r.shadowed[0].origin, at(&c.path("config"), 2));
    assert_eq!(val(&r, "port"), "2");
}

#[test]
fn accumulating_options() {
    let c = Case::new("accumulating_options");
    let cfg = "Host *\n IdentityFile ~/.ssh/a\n IdentityFile ~/.ssh/b\n IdentityFile ~/.ssh/a\n CertificateFile /tmp/c1\n SendEnv A B C*\n SendEnv -B\n LocalForward 1 h:2\n LocalForward 3 h:4\n RemoteForward 5 h:6\n DynamicForward 7\n";
    let r = c.accepts(cfg, &["-i", "/etc/hostname", "h"]);
    assert_eq!(
        vals(&r, "identityfile"),
        ["/etc/hostname", "~/.ssh/a", "~/.ssh/b"]
    );
    assert_eq!(r.effective.get_all("sendenv").len(), 2);
    assert_eq!(r.effective.get_all("localforward").len(), 2);
}

#[test]
fn proxyjump_and_proxycommand_exclude_each_other() {
    let c = Case::new("proxyjump_and_proxycommand_exclude_each_other");
    let r = c.accepts("ProxyJump j1\nProxyCommand nc %h %p\n", &["h"]);
    assert_eq!(val(&r, "proxyjump"), "j1");
    assert!(r.effective.get("proxycommand").is_none());
    let r = c.accepts("ProxyCommand nc %h %p\nProxyJump j1\n", &["h"]);
    assert_eq!(val(&r, "proxycommand"), "nc %h %p");
    assert!(r.effective.get("proxyjump").is_none());
    // `none` is a value: until 10.3 (and Debian's deb12u10) the
    // ProxyCommand after it is ignored too; from then the first of the two
    // wins, and `none` is not a jump.
    c.each("ProxyJump none\nProxyCommand nc\n", &["h"], |p| {
        let pc = p.rules.proxy_first_match.then(|| "nc".to_string());
        Ok(vec![("proxyjump", None), ("proxycommand", pc)])
    });
    let r = c.accepts("", &["-J", "u@[::1]:2,j2", "h"]);
    assert_eq!(val(&r, "proxyjump"), "u@[::1]:2,j2");
}

#[test]
fn serveraliveinterval_none_leaves_it_unset() {
    let c = Case::new("serveraliveinterval_none_leaves_it_unset");
    let cfg = "Host *\n ServerAliveInterval none\nHost h\n ServerAliveInterval 1m30s\n";
    let r = c.accepts(cfg, &["h"]);
    assert_eq!(val(&r, "serveraliveinterval"), "90");
    assert_eq!(origin(&r, "serveraliveinterval"), at(&c.path("config"), 4));
}

#[test]
fn command_line_order_rules() {
    let c = Case::new("command_line_order_rules");
    let r = c.accepts("", &["-o", "Port=1", "-p", "2", "h"]);
    assert_eq!(val(&r, "port"), "1");
    assert_eq!(val(&c.accepts("", &["-l", "a", "b@h"]), "user"), "a");
    assert_eq!(val(&c.accepts("", &["b@h", "-l", "a"]), "user"), "b");
    let r = c.accepts("", &["x@y@h"]);
    assert_eq!(
        (val(&r, "user"), val(&r, "hostname")),
        ("x@y".into(), "h".into())
    );
    let r = c.accepts("", &["ssh://u@h:2022"]);
    assert_eq!(
        (val(&r, "user"), val(&r, "port")),
        ("u".into(), "2022".into())
    );
    let r = c.accepts("AddressFamily inet6\n", &["-4", "h"]);
    assert_eq!(val(&r, "addressfamily"), "inet");
    let r = c.accepts("", &["-6", "-o", "AddressFamily=inet", "h"]);
    assert_eq!(val(&r, "addressfamily"), "inet6");
    let r = c.accepts("", &["-J", "j1", "-o", "ProxyJump=j2", "h"]);
    assert_eq!(val(&r, "proxyjump"), "j1");
}

#[test]
fn host_patterns() {
    let c = Case::new("host_patterns");
    let cfg = "Host a,b\n Port 1\nHost B\n Port 2\nHost h? !hx\n Port 3\nHost !q\n Port 4\nHost *.example.com\n Port 5\n";
    // A comma in the command-line host name: refused from 10.0 (Debian
    // 12 since deb12u10).
    c.each(cfg, &["a,b"], |p| match p.rules.host_check {
        pushguard::ssh::profile::HostCheck::Comma => Err("hostname contains invalid characters"),
        _ => prints(&[("port", "1")]),
    });
    for (host, port) in [
        ("b", "22"),
        ("B", "2"),
        ("h1", "3"),
        ("hx", "22"),
        ("q", "22"),
        ("x.example.com", "5"),
    ] {
        let r = c.accepts(cfg, &[host]);
        assert_eq!(val(&r, "port"), port, "host {host}");
    }
}

#[test]
fn match_criteria() {
    let c = Case::new("match_criteria");
    let cfg = "Match host REAL.example.com user git\n Port 1\nMatch originalhost ALIAS !user root\n Port 2\nMatch localuser *\n ConnectTimeout 5\nMatch !host *.example.com,!x\n Compression yes\nMatch all\n User git\n";
    let r = c.accepts(
        &format!("Host alias\n HostName real.%h.example.com\n{cfg}"),
        &["alias"],
    );
    assert_eq!(val(&r, "hostname"), "real.alias.example.com");
    assert_eq!(val(&r, "connecttimeout"), "5");
    assert_eq!(
        (val(&r, "port"), val(&r, "user")),
        ("22".into(), "git".into())
    );
    let r = c.accepts(
        &format!("Host alias\n HostName real.example.com\n{cfg}"),
        &["-l", "git", "alias"],
    );
    assert_eq!(val(&r, "port"), "1", "host matches the HostName, any case");
    // originalhost matches the alias as typed; `!user root` fails for root.
    let r = c.accepts(cfg, &["ALIAS"]);
    let want = if c.env.local_user == "root" {
        "22"
    } else {
        "2"
    };
    assert_eq!(val(&r, "port"), want);
    assert_eq!(val(&r, "compression"), compression_yes(c.profile()));
    let r = c.accepts("Match canonical\n Port 1\nMatch !final\n Port 2\n", &["h"]);
    assert_eq!(val(&r, "port"), "2");
    let r = c.accepts("Match exec true host h\n Port 7\n", &["h"]);
    assert_eq!(val(&r, "port"), "7");
    let r = c.accepts("Match exec \"test %p = 22\"\n Port 8\n", &["h"]);
    assert_eq!(val(&r, "port"), "8");
    let r = c.accepts("Match user git\n Port 9\n", &["git@h"]);
    assert_eq!(val(&r, "port"), "9");
    c.rejects(
        "Match foo x\n",
        &["h"],
        &[
            "Unsupported Match attribute foo",
            "line 1: Bad Match condition",
        ],
    );
    c.rejects(
        "Match all host x\n",
        &["h"],
        &["'all' cannot be combined with other Match attributes"],
    );
    c.each("Match host\n", &["h"], |p| match p.rules.match_criteria {
        pushguard::ssh::profile::MatchCriteria::Session => Err("missing argument for Match 'host'"),
        _ => Err("Missing Match criteria for host"),
    });
}

#[test]
fn final_pass_rereads_with_canonical_hostname() {
    let c = Case::new("final_pass_rereads_with_canonical_hostname");
    let cfg = "Host alias\n HostName Target.Example.NET\n CanonicalizeHostname yes\nHost target.example.net\n Port 1234\nMatch canonical\n User can\n";
    let r = c.accepts(cfg, &["alias"]);
    assert_eq!(val(&r, "port"), "1234");
    assert_eq!(val(&r, "user"), "can");
    let r = c.accepts("Match final host z\n Port 4\nHost y\n HostName z\n", &["y"]);
    assert_eq!(val(&r, "port"), "4");
}

#[test]
fn includes() {
    let c = Case::new("includes");
    let d = c.dir.root().display().to_string();
    c.write("inc/b.conf", "Port 2\nHost other\nUser nobody\n");
    c.write("inc/a.conf", "Host h\n ServerAliveInterval 7\n");
    c.write("inc/c.conf", "Match all\n Compression yes\n");
    let cfg = format!(
        "Host nothere\nInclude {d}/inc/*.conf\nHost h\nInclude {d}/none-*.conf {d}/inc/b.conf\nUser u\n"
    );
    let r = c.accepts(&cfg, &["h"]);
    // Included from an inactive block, a file's own `Host h` never matches.
    assert_eq!(val(&r, "serveraliveinterval"), "0");
    assert_eq!(val(&r, "port"), "2");
    assert_eq!(val(&r, "user"), "u");
    assert_eq!(origin(&r, "port"), at(&c.path("inc/b.conf"), 1));
    // Self-inclusion stops at depth 16.
    let me = c.path("config").display().to_string();
    c.rejects(
        &format!("Include {me}\n"),
        &["h"],
        &["Too many recursive configuration includes"],
    );
    // Relative includes go under ~/.ssh/ and are ignored when missing.
    let r = c.accepts("Include does-not-exist.conf\n", &["h"]);
    assert_eq!(origin(&r, "port"), Origin::Default);
}

#[test]
fn syntax_forms() {
    let c = Case::new("syntax_forms");
    let cfg = "# comment\n\n  PORT=1\nserveraliveinterval = 1m30s # trailing\n\"User\" \"a b\"\nHostName=\"h\\\"x\"\nIdentityFile 'x y' \nSendEnv A\\ B\n";
    let r = c.accepts(cfg, &["h"]);
    assert_eq!(val(&r, "serveraliveinterval"), "90");
    assert_eq!(val(&r, "user"), "a b");
    assert_eq!(val(&r, "port"), "1");
    assert_eq!(val(&r, "hostname"), "h\"x");
    assert_eq!(vals(&r, "identityfile"), ["x y"]);
    assert_eq!(vals(&r, "sendenv"), ["A B"]);
    let cfg_path = c.path("config").display().to_string();
    c.rejects(
        "Host h\n Port 22 23\n",
        &["h"],
        &[&format!(
            "{cfg_path} line 2: keyword port extra arguments at end of line"
        )],
    );
    c.rejects(
        "Host h\n Bogus 1\n",
        &["h"],
        &[&format!(
            "{cfg_path}: line 2: Bad configuration option: bogus"
        )],
    );
    let r = c.accepts("IgnoreUnknown Bog*\nBogus 1\n", &["h"]);
    assert_eq!(val(&r, "port"), "22");
    c.rejects(
        "Port \"22\n",
        &["h"],
        &[&format!("{cfg_path} line 1: invalid quotes")],
    );
    c.rejects(
        "ServerAliveInterval 1x\n",
        &["h"],
        &["line 1: invalid time value."],
    );
    c.rejects(
        "",
        &["-o", "Host=x", "h"],
        &["Host directive not supported as a command-line option"],
    );
}

#[test]
fn hostname_output() {
    let c = Case::new("hostname_output");
    let r = c.accepts("HostName %h.Example.%%\n", &["h"]);
    assert_eq!(val(&r, "hostname"), "h.Example.%");
    let r = c.accepts("HostName %h.Example\n", &["h"]);
    assert_eq!(val(&r, "hostname"), "h.example");
    assert_eq!(val(&c.accepts("", &["127.1"]), "hostname"), "127.0.0.1");
    assert_eq!(val(&c.accepts("", &["0x7f.1"]), "hostname"), "127.0.0.1");
    let r = c.accepts("", &["::FFFF:1.2.3.4"]);
    assert_eq!(val(&r, "hostname"), "::FFFF:1.2.3.4");
}

#[test]
fn debian_batchmode_keepalive() {
    let c = Case::new("debian_batchmode_keepalive");
    let r = c.accepts("BatchMode yes\n", &["h"]);
    let want = match c.env.profile.build.debian_patches {
        true => "300",
        false => "0",
    };
    assert_eq!(val(&r, "serveraliveinterval"), want);
    // Upstream keeps 0 (no ssh needed).
    let mut env = ResolveEnv::current(Profile::newest(), ExecPolicy::Run);
    env.user_config = c.path("nope");
    let mut req = ResolveRequest::new("h").option("BatchMode yes");
    req.config = Some("none".into());
    let r = resolve(&req, &env).unwrap();
    assert_eq!(val(&r, "serveraliveinterval"), "0");
}

#[test]
fn unknown_exec_is_a_third_value() {
    let c = Case::new("unknown_exec_is_a_third_value");
    let cfg = "Match exec \"test -e /nonexistent\"\n ServerAliveInterval 30\nMatch exec true\n Compression yes\n";
    // Run, as ssh does: the first is false, the second true.
    let r = c.accepts(cfg, &["h"]);
    assert_eq!(val(&r, "serveraliveinterval"), "0");
    assert_eq!(val(&r, "compression"), compression_yes(c.profile()));
    let env = ResolveEnv::current(c.env.profile.clone(), ExecPolicy::Unknown);
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
    let c = Case::new("json_has_values_and_origins");
    let r = c.accepts(
        "Host h\n ServerAliveInterval 20\n ServerAliveInterval 40\n",
        &["h"],
    );
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
    let c = Case::new("system_file_without_f");
    if c.env.user_config.exists() {
        eprintln!(
            "SKIPPING system_file_without_f: {} exists",
            c.env.user_config.display()
        );
        return;
    }
    for host in ["h", "b.example.com"] {
        let r = c.accepts_argv(&[host.to_string()]);
        assert_eq!(val(&r, "hostname"), host);
        // Every value is ssh's default, the command line's or the system file's.
        for (key, values) in r.effective.entries() {
            for v in values {
                let from_system = matches!(&v.origin, Origin::File { path, .. }
                    if path.starts_with("/etc/ssh"));
                assert!(
                    from_system || matches!(v.origin, Origin::Default | Origin::CommandLine),
                    "{key} {} from {}",
                    v.value,
                    v.origin
                );
            }
        }
    }
}

#[test]
fn deliberate_difference_no_dns() {
    // The builtin resolver does no DNS: a config whose answer needs a
    // lookup is refused with NeedsDns instead of guessed.
    let c = Case::new("deliberate_difference_no_dns");
    let p = c.write("config", "CanonicalizePermittedCNAMEs *.a:*.b\n");
    let env = ResolveEnv::current(c.env.profile.clone(), ExecPolicy::Unknown);
    let req =
        ResolveRequest::from_ssh_args(&["-F".into(), p.display().to_string(), "h".into()]).unwrap();
    assert!(matches!(resolve(&req, &env), Err(ConfigError::NeedsDns(_))));
    // A suffix under .invalid never resolves, so ssh agrees: with fallback
    // off both refuse, with fallback on both keep the name.
    let cfg = "CanonicalizeHostname yes\nCanonicalDomains invalid\nCanonicalizeFallbackLocal no\n";
    c.rejects(cfg, &["h"], &["Could not resolve host \"h\""]);
    let r = c.accepts(
        "CanonicalizeHostname yes\nCanonicalDomains invalid\n",
        &["h"],
    );
    assert_eq!(val(&r, "hostname"), "h");
}

/// Whether group `gid` holds only the account `uid` (Debian's rule): the
/// accounts whose primary group it is are all `uid`, its listed members
/// are that account alone, and there is at least one of either.
fn group_holds_only(gid: u32, uid: u32) -> bool {
    let read = |f: &str| std::fs::read_to_string(f).unwrap_or_default();
    let passwd = read("/etc/passwd");
    let accounts: Vec<Vec<&str>> = passwd.lines().map(|l| l.split(':').collect()).collect();
    let me = accounts
        .iter()
        .find(|f| f.len() >= 6 && f[2] == uid.to_string())
        .map(|f| f[0]);
    let primary: Vec<&str> = accounts
        .iter()
        .filter(|f| f.len() >= 6 && f[3] == gid.to_string())
        .map(|f| f[2])
        .collect();
    let group = read("/etc/group");
    let Some(listed) = group.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 4 && f[2] == gid.to_string()).then(|| f[3].to_string())
    }) else {
        return false;
    };
    let listed: Vec<&str> = listed.split(',').filter(|m| !m.is_empty()).collect();
    primary.iter().all(|u| *u == uid.to_string())
        && (listed.is_empty() || (listed.len() == 1 && Some(listed[0]) == me))
        && !(primary.is_empty() && listed.is_empty())
}

#[test]
fn group_writable_files_by_vendor() {
    // ssh refuses a user or included file that others may write; Debian's
    // (and Ubuntu's) user-group-modes patch allows a group-writable one
    // whose group holds only the user. Witnessed through an Include (the
    // user file would be the real ~/.ssh/config).
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let c = Case::new("group_writable_files_by_vendor");
    let inc = c.write("inc.conf", "Port 2\n");
    let cfg = format!("Include {}\n", inc.display());
    let meta = std::fs::metadata(&inc).unwrap();
    let private = group_holds_only(meta.gid(), meta.uid());
    for (mode, group_writable) in [(0o664, true), (0o646, false), (0o644, false)] {
        std::fs::set_permissions(&inc, std::fs::Permissions::from_mode(mode)).unwrap();
        c.each(&cfg, &["h"], |p| {
            let ok = mode == 0o644 || (group_writable && p.build.debian_patches && private);
            match ok {
                true => prints(&[("port", "2")]),
                false => Err("Bad owner or permissions"),
            }
        });
    }
    // The user file: the same check (builtin only).
    let req = ResolveRequest::from_ssh_args(&["h".into()]).unwrap();
    std::fs::set_permissions(&inc, std::fs::Permissions::from_mode(0o664)).unwrap();
    for p in Profile::modelled() {
        let mut env = c.env.clone();
        env.profile = p.clone();
        env.user_config = inc.clone();
        env.system_config = c.path("no_system_config");
        let got = resolve(&req, &env);
        match p.build.debian_patches && private {
            true => assert_eq!(val(&got.unwrap(), "port"), "2", "{}", p.name),
            false => assert!(
                matches!(got, Err(ConfigError::Permissions { .. })),
                "{}: {got:?}",
                p.name
            ),
        }
    }
}

#[test]
fn algorithm_lists() {
    let c = Case::new("algorithm_lists");
    let r = c.accepts("Ciphers aes128-ctr,aes128-ctr\nMACs -hmac-sha1*\n", &["h"]);
    assert_eq!(val(&r, "ciphers"), "aes128-ctr");
    assert!(!val(&r, "macs").contains("hmac-sha1"));
    c.rejects(
        "Ciphers bogus\n",
        &["h"],
        &["Bad SSH2 cipher spec 'bogus'."],
    );
    let r = c.accepts("KexAlgorithms ^curve25519-sha256\n", &["h"]);
    assert!(val(&r, "kexalgorithms").starts_with("curve25519-sha256,"));
}

#[test]
fn canonicalize_without_fallback_rejects_short_names_even_without_domains() {
    // ssh gives up on a name with few enough dots (or a trailing dot) when
    // CanonicalizeFallbackLocal is no, whether or not CanonicalDomains has a
    // suffix to try; a name with more dots is left alone.
    let c = Case::new("canonicalize_without_fallback_rejects_short_names_even_without_domains");
    for domains in ["", "CanonicalDomains none\n", "CanonicalDomains invalid\n"] {
        let cfg = format!("CanonicalizeHostname yes\nCanonicalizeFallbackLocal no\n{domains}");
        for host in ["x", "a.b", "a.b.c."] {
            c.rejects(&cfg, &[host], &["Could not resolve host"]);
        }
        assert_eq!(val(&c.accepts(&cfg, &["a.b.c"]), "hostname"), "a.b.c");
        assert_eq!(val(&c.accepts(&cfg, &["10.1"]), "hostname"), "10.0.0.1");
    }
}
