//! The rules that differ between the OpenSSH builds modelled (8.7p1 to
//! 10.5p1 upstream, Debian 12's updates, Apple's and MSYS2's builds). Each
//! test states the answer of every profile, from the research of each
//! release (`/work/research/openssh-versions.md` and its probe tables),
//! checks it against the builtin under every modelled profile
//! ([`Case::each`]), and compares the live `ssh -G` with the builtin under
//! the witness's profile.

use pushguard::ssh::Profile;
use pushguard::ssh::profile::{
    HostCheck, IpQosNumbers, LateUserCheck, MatchCriteria, MatchWords, TimeGrammar, UserExpansion,
};

use crate::ssh_rules::{Case, Want, absent, compression_yes, prints, val};

/// `Some(v)`: the key prints `v`; `None`: the line is refused with `words`.
fn value_or(key: &'static str, v: Option<&str>, words: &'static str) -> Want {
    match v {
        Some(v) => prints(&[(key, v)]),
        None => Err(words),
    }
}

/// The answer for a time grammar: the three columns of the probe table.
fn by_grammar<'a>(
    p: &Profile,
    [strtol, digits, fractional]: [Option<&'a str>; 3],
) -> Option<&'a str> {
    match p.rules.time {
        TimeGrammar::Strtol => strtol,
        TimeGrammar::Digits => digits,
        TimeGrammar::Fractional => fractional,
    }
}

#[test]
fn time_values_by_grammar() {
    let c = Case::new("time_values_by_grammar");
    // ServerAliveInterval: input, then ≤9.7 (strtol terms), 9.8–10.2
    // (digit terms), 10.3 (decimal seconds, one seconds term).
    let table: &[(&str, [Option<&str>; 3])] = &[
        ("1.5", [None, None, Some("1")]),
        ("30s30s", [Some("60"), Some("60"), None]),
        ("+5", [Some("5"), None, None]),
        ("-0", [Some("0"), None, None]),
        ("1m1.5", [None, None, Some("61")]),
        (".5", [None, None, Some("0")]),
        ("1.", [None, None, None]),
        ("1M1s1S", [Some("62"), Some("62"), None]),
        ("5m5m5", [Some("605"), Some("605"), Some("605")]),
        ("1.5s1m", [None, None, Some("61")]),
    ];
    for (input, answers) in table {
        c.each(&format!("ServerAliveInterval {input}\n"), &["h"], |p| {
            value_or(
                "serveraliveinterval",
                by_grammar(p, *answers),
                "invalid time value.",
            )
        });
    }
    // The other time sites read the same grammar.
    c.each("ConnectTimeout 1.5\n", &["h"], |p| {
        value_or(
            "connecttimeout",
            by_grammar(p, [None, None, Some("1")]),
            "invalid time value.",
        )
    });
    c.each("ControlPersist 30s30s\n", &["h"], |p| {
        let v = by_grammar(p, [Some("60"), Some("60"), None]);
        value_or("controlpersist", v, "Bad ControlPersist argument.")
    });
    c.each("RekeyLimit 1G 1.5\n", &["h"], |p| {
        let v = by_grammar(p, [None, None, Some("1073741824 1")]);
        value_or("rekeylimit", v, "invalid time value.")
    });
    c.each("AddKeysToAgent confirm 1.5\n", &["h"], |p| {
        let v = by_grammar(p, [None, None, Some("confirm 1")]);
        value_or("addkeystoagent", v, "invalid time value.")
    });
    // ChannelTimeout (9.6) checks its intervals with the grammar too.
    c.each("ChannelTimeout session=1.5\n", &["h"], |p| {
        if !p.release.at_least(9, 6) {
            return Err("Bad configuration option: channeltimeout");
        }
        let v = by_grammar(p, [None, None, Some("session=1.5")]);
        value_or("channeltimeout", v, "invalid channel timeout")
    });
}

#[test]
fn match_lines_split_by_release() {
    let c = Case::new("match_lines_split_by_release");
    // Single quotes: literal until 9.8, quotes from 9.9.
    c.each("Match host 'x'\n Port 2\n", &["x"], |p| {
        let port = match p.rules.match_words {
            MatchWords::Strdelim => "22",
            _ => "2",
        };
        prints(&[("port", port)])
    });
    // `criterion=arg`: the keyword splitter takes `=`; 9.9p1 does not know
    // it; 9.9p2 restored it.
    c.each("Match host=x\n Port 2\n", &["x"], |p| {
        match p.rules.match_words {
            MatchWords::Argv => Err("Missing Match criteria for host=x"),
            _ => prints(&[("port", "2")]),
        }
    });
    // `host = x`: one `=` between words only for the keyword splitter.
    c.each("Match host = x\n Port 2\n", &["x"], |p| {
        match p.rules.match_words {
            MatchWords::Strdelim => prints(&[("port", "2")]),
            _ if p.rules.match_criteria == MatchCriteria::Session => {
                Err("missing argument for Match 'x'")
            }
            _ => Err("Missing Match criteria for x"),
        }
    });
    // `sessiontype=` is not a `criterion=arg` form.
    c.each("Match sessiontype=shell\n", &["x"], |p| {
        match p.rules.match_words {
            MatchWords::Strdelim if p.rules.match_criteria == MatchCriteria::Session => {
                prints(&[("port", "22")])
            }
            _ => Err("Bad Match condition"),
        }
    });
}

#[test]
fn match_criteria_by_release() {
    let c = Case::new("match_criteria_by_release");
    let unsupported = |name: &'static str| -> Want { Err(name) };
    // tagged (9.4): an unset tag is "" and matches `*` until 10.0; from
    // 10.0 it matches only "".
    c.each("Match tagged *\n Port 2\n", &["x"], |p| {
        match p.rules.match_criteria {
            MatchCriteria::Classic => unsupported("Unsupported Match attribute tagged"),
            MatchCriteria::Tagged => prints(&[("port", "2")]),
            MatchCriteria::Session => prints(&[("port", "22")]),
        }
    });
    // An empty argument is missing before the criterion is looked up.
    c.each("Match tagged \"\"\n Port 2\n", &["x"], |p| {
        match p.rules.match_criteria {
            MatchCriteria::Classic | MatchCriteria::Tagged => {
                Err("Missing Match criteria for tagged")
            }
            MatchCriteria::Session => prints(&[("port", "2")]),
        }
    });
    // `-P tag` sets the tag (9.4); before, -P was an ignored flag, so `t1`
    // is the destination.
    c.each(
        "Match tagged t1\n Port 2\n",
        &["-P", "t1", "x"],
        |p| match (p.rules.tag_flag, p.rules.match_criteria) {
            (false, _) => Err("Unsupported Match attribute tagged"),
            _ => prints(&[("port", "2"), ("tag", "t1"), ("hostname", "x")]),
        },
    );
    // localnetwork (9.4): a CIDR list, checked; loopback is always up.
    c.each(
        "Match localnetwork 127.0.0.0/8\n Port 2\n",
        &["x"],
        |p| match p.rules.match_criteria {
            MatchCriteria::Classic => unsupported("Unsupported Match attribute localnetwork"),
            _ => prints(&[("port", "2")]),
        },
    );
    c.each("Match localnetwork foo\n", &["x"], |p| {
        match p.rules.match_criteria {
            MatchCriteria::Classic => unsupported("Unsupported Match attribute localnetwork"),
            _ => Err("Bad Match condition"),
        }
    });
    // version, sessiontype, command (10.0).
    c.each("Match version OpenSSH_*\n Port 2\n", &["x"], |p| {
        match p.rules.match_criteria {
            MatchCriteria::Session => prints(&[("port", "2")]),
            _ => unsupported("Unsupported Match attribute version"),
        }
    });
    c.each(
        "Match sessiontype exec command \"ls -l\"\n Port 2\n",
        &["x", "ls", "-l"],
        |p| match p.rules.match_criteria {
            MatchCriteria::Session => prints(&[("port", "2")]),
            _ => unsupported("Unsupported Match attribute sessiontype"),
        },
    );
    c.each(
        "Match sessiontype none\n Port 2\n",
        &["-N", "x"],
        |p| match p.rules.match_criteria {
            MatchCriteria::Session => prints(&[("port", "2")]),
            _ => unsupported("Unsupported Match attribute sessiontype"),
        },
    );
    // `Match version` sees what `ssh -V` prints before the comma.
    let v = c.profile().version.clone();
    c.each(
        &format!("Match version \"{v}\"\n Port 2\n"),
        &["x"],
        |p| match p.rules.match_criteria {
            MatchCriteria::Session => prints(&[("port", if p.version == v { "2" } else { "22" })]),
            _ => unsupported("Unsupported Match attribute version"),
        },
    );
}

#[test]
fn negated_final_asks_for_a_second_pass_until_10_1() {
    let c = Case::new("negated_final_asks_for_a_second_pass_until_10_1");
    // A second pass appends SendEnv again.
    c.each("SendEnv A\nMatch !final\n", &["h"], |p| {
        let v = if p.rules.negated_final_pass {
            "A / A"
        } else {
            "A"
        };
        prints(&[("sendenv", v)])
    });
    c.each("SendEnv A\nMatch final\n", &["h"], |_| {
        prints(&[("sendenv", "A / A")])
    });
}

#[test]
fn include_paths_expand_tokens_from_9_9() {
    let c = Case::new("include_paths_expand_tokens_from_9_9");
    let d = c.dir.root().display().to_string();
    c.write("inc_h.conf", "Port 2001\n");
    c.write("inc_home.conf", "Port 2003\n");
    let expanded = |p: &Profile| p.rules.include_expansion;
    c.each(&format!("Include {d}/inc_%h.conf\n"), &["h"], |p| {
        prints(&[("port", if expanded(p) { "2001" } else { "22" })])
    });
    c.each("Include ${HOME}/inc_home.conf\n", &["h"], |p| {
        prints(&[("port", if expanded(p) { "2003" } else { "22" })])
    });
    // An unknown token stops ssh; an unset variable skips the path.
    c.each(
        &format!("Include {d}/inc_%Z.conf\n"),
        &["h"],
        |p| match expanded(p) {
            true => Err("unknown key %Z"),
            false => prints(&[("port", "22")]),
        },
    );
    c.each(
        "Include ${PUSHGUARD_UNSET_VARIABLE}/x\nPort 5\n",
        &["h"],
        |_| prints(&[("port", "5")]),
    );
}

/// `home` with one trailing slash.
fn dir_of(home: &str) -> String {
    match home.ends_with('/') {
        true => home.to_string(),
        false => format!("{home}/"),
    }
}

/// The passwd home of `name`.
fn passwd_home(name: &str) -> Option<String> {
    let text = std::fs::read_to_string("/etc/passwd").ok()?;
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 6 && f[0] == name).then(|| f[5].to_string())
    })
}

#[test]
fn tilde_paths_by_release() {
    // ssh's tilde_expand_filename (ControlPath, IdentityAgent, ForwardAgent,
    // UserKnownHostsFile, -i): before 8.9 `~name` without a slash is the
    // own home's `name` and the slashes after `~/` stay; from 8.9 `~name`
    // is that account's home and the slashes collapse. An unknown account
    // stops ssh. Include's `~` is glob's: `~name/` from passwd, an unknown
    // name kept as written (a relative path that matches nothing).
    let c = Case::new("tilde_paths_by_release");
    let me = dir_of(&c.env.home.display().to_string());
    let Some(root) = passwd_home("root").map(|h| dir_of(&h)) else {
        eprintln!("tilde_paths_by_release: no root account in /etc/passwd; skipped");
        return;
    };
    let table: &[(&str, Option<String>, Option<String>)] = &[
        ("~", Some(me.clone()), Some(me.clone())),
        ("~/", Some(me.clone()), Some(me.clone())),
        ("~//x", Some(format!("{me}/x")), Some(format!("{me}x"))),
        ("~root", Some(format!("{me}root")), Some(root.clone())),
        (
            "~root//a",
            Some(format!("{root}/a")),
            Some(format!("{root}a")),
        ),
        ("~pg-nosuch", Some(format!("{me}pg-nosuch")), None),
        ("~pg-nosuch/x", None, None),
    ];
    for (input, before, from_8_9) in table {
        c.each(&format!("ControlPath {input}\n"), &["h"], |p| {
            let want = match p.rules.tilde_user_alone {
                true => from_8_9,
                false => before,
            };
            match want {
                Some(v) => prints(&[("controlpath", v)]),
                None => Err("No such user pg-nosuch"),
            }
        });
    }
    c.each("", &["-i", "~pg-nosuch/id", "h"], |_| {
        Err("No such user pg-nosuch")
    });
    // Include: a directory reads as empty; an unknown `~name` matches
    // nothing.
    let d = c.dir.root().display().to_string();
    for inc in [d.as_str(), "~pg-nosuch/x", "~root/.pg-missing-*"] {
        c.each(&format!("Include {inc}\nUser q\n"), &["h"], |_| {
            prints(&[("user", "q")])
        });
    }
}

#[test]
fn user_names_expand_and_are_checked_by_release() {
    let c = Case::new("user_names_expand_and_are_checked_by_release");
    let bad = "remote username contains invalid characters";
    // `%`/`${}` in a config User (10.0).
    c.each("User a%%b\n", &["h"], |p| {
        let v = match p.rules.user_expansion {
            UserExpansion::None => "a%%b",
            _ => "a%b",
        };
        prints(&[("user", v)])
    });
    // In 10.0 a -l user expands too; from 10.1 only config and -o users.
    c.each("", &["-l", "x%hy", "h"], |p| {
        let v = match p.rules.user_expansion {
            UserExpansion::Every => "xhy",
            _ => "x%hy",
        };
        prints(&[("user", v)])
    });
    c.each("", &["-o", "User=x%hy", "h"], |p| {
        let v = match p.rules.user_expansion {
            UserExpansion::None => "x%hy",
            _ => "xhy",
        };
        prints(&[("user", v)])
    });
    // A config literal is checked only in 10.0.
    c.each("User a;b\n", &["h"], |p| match p.rules.late_user_check {
        LateUserCheck::Every => Err(bad),
        _ => prints(&[("user", "a;b")]),
    });
    // A command-line user: before the files (9.6, 10.3, Debian 12 but
    // deb12u8/9), after them (10.0–10.2, deb12u8/9), or not at all.
    for args in [&["-l", "a;b", "h"][..], &["a;b@h"], &["ssh://u%3bb@h"]] {
        c.each("", args, |p| {
            let checked =
                p.rules.early_user_check || p.rules.late_user_check != LateUserCheck::None;
            match checked {
                true => Err(bad),
                false => Ok(vec![("hostname", Some("h".into()))]),
            }
        });
    }
    // `-o User`: checked early; after the files only in 10.0.
    c.each("", &["-o", "User=a;b", "h"], |p| {
        match p.rules.early_user_check || p.rules.late_user_check == LateUserCheck::Every {
            true => Err(bad),
            false => prints(&[("user", "a;b")]),
        }
    });
    // Control characters (10.1, Debian 12 since deb12u8).
    c.each("", &["-l", "a\u{1}b", "h"], |p| {
        match p.rules.user_control_chars {
            true => Err(bad),
            false => prints(&[("user", "a\u{1}b")]),
        }
    });
    // Early or late: which error comes first.
    c.each("BogusOption x\n", &["-l", "a;b", "h"], |p| {
        match p.rules.early_user_check {
            true => Err(bad),
            false => Err("Bad configuration option: bogusoption"),
        }
    });
}

#[test]
fn command_line_host_names_by_release() {
    let c = Case::new("command_line_host_names_by_release");
    let bad = "hostname contains invalid characters";
    for (host, from) in [
        ("a;b", HostCheck::Metachars),
        ("a b", HostCheck::Metachars),
        ("a,b", HostCheck::Comma),
    ] {
        c.each("", &[host], |p| match p.rules.host_check >= from {
            true => Err(bad),
            false => prints(&[("hostname", host)]),
        });
    }
    // ssh:// users are URL-decoded; a NUL ends the user until 10.1
    // (Debian 12 since deb12u8), then refuses it.
    c.each("", &["ssh://u%41@h"], |_| prints(&[("user", "uA")]));
    c.each("", &["ssh://u%00x@h"], |p| match p.rules.uri_nul_refused {
        true => Err("bad destination"),
        false => prints(&[("user", "u")]),
    });
}

#[test]
fn jumps_by_release() {
    let c = Case::new("jumps_by_release");
    // -J hops are checked like host names from 10.3 (deb12u10).
    c.each("", &["-J", "a;b", "h"], |p| {
        match p.rules.jump_names_checked {
            true => Err("Invalid -J argument"),
            false => prints(&[("proxyjump", "a;b")]),
        }
    });
    c.each("", &["-o", "ProxyJump=u;x@j", "h"], |p| {
        match p.rules.jump_names_checked {
            true => Err("Invalid ProxyJump"),
            false => prints(&[("proxyjump", "u;x@j")]),
        }
    });
    // Before 10.1 the value is cut at its first blank.
    c.each("ProxyJump j1 j2\n", &["h"], |p| {
        prints(&[(
            "proxyjump",
            if p.rules.jump_keeps_blanks {
                "j1 j2"
            } else {
                "j1"
            },
        )])
    });
    c.each("", &["-J", "j1 j2", "h"], |p| {
        match (p.rules.jump_keeps_blanks, p.rules.jump_names_checked) {
            (true, true) => Err("Invalid -J argument"),
            (true, false) => prints(&[("proxyjump", "j1 j2")]),
            (false, _) => prints(&[("proxyjump", "j1")]),
        }
    });
    // `-J none` no longer hides a ProxyCommand from the files (10.3).
    c.each("ProxyCommand nc %h\n", &["-J", "none", "h"], |p| {
        let pc = p.rules.proxy_first_match.then(|| "nc %h".to_string());
        Ok(vec![("proxycommand", pc), ("proxyjump", None)])
    });
    // An unassembled list (before 10.4) skips the clean-up of `none`: %j is
    // `none` (found by the long differential run).
    c.each(
        "ControlPath /tmp/%j\n",
        &["-o", "MACs ,", "-o", "ProxyJump=none", "h"],
        |p| match (p.rules.jump_token, p.rules.strict_algorithm_lists) {
            (_, true) => Err("Bad SSH2 MAC spec"),
            (true, false) => prints(&[("controlpath", "/tmp/none")]),
            (false, false) => Err("unknown key %j"),
        },
    );
    // %j (9.6), and %C hashes the jump host.
    c.each(
        "ControlPath /tmp/%j\n",
        &["-J", "u@j:2", "h"],
        |p| match p.rules.jump_token {
            true => prints(&[("controlpath", "/tmp/j")]),
            false => Err("unknown key %j"),
        },
    );
    let file = |name: &str, text: &str, args: &[&str]| {
        let mut v = vec!["-F".to_string(), c.write(name, text).display().to_string()];
        v.extend(args.iter().map(|a| a.to_string()));
        v
    };
    let with = file("with", "ControlPath /tmp/%C\n", &["-J", "j", "h"]);
    let without = file("jump", "ControlPath /tmp/%C\nProxyJump j\n", &["h"]);
    let plain = file("plain", "ControlPath /tmp/%C\n", &["h"]);
    for p in Profile::modelled() {
        let cp = |argv: &[String]| val(&c.builtin_as(argv, &p).unwrap(), "controlpath");
        assert_eq!(cp(&with), cp(&without), "{}", p.name);
        assert_eq!(cp(&with) != cp(&plain), p.rules.jump_token, "{}", p.name);
    }
    c.accepts("ControlPath /tmp/%C\n", &["-J", "j", "h"]);
}

#[test]
fn ipqos_by_release() {
    let c = Case::new("ipqos_by_release");
    use IpQosNumbers::{Decimal, DscpOnly, Strtol};
    let bad = "Bad IPQoS value";
    // input, ≤9.7 (strtol, old names), 9.8–10.0 (decimal), 10.1 (DSCP only).
    let table: &[(&str, [Option<&str>; 3])] = &[
        (
            "lowdelay",
            [
                Some("lowdelay lowdelay"),
                Some("lowdelay lowdelay"),
                Some("none none"),
            ],
        ),
        ("0x10", [Some("lowdelay lowdelay"), None, None]),
        (
            "010",
            [
                Some("throughput throughput"),
                Some("0x0a 0x0a"),
                Some("0x0a 0x0a"),
            ],
        ),
        (
            "16",
            [
                Some("lowdelay lowdelay"),
                Some("lowdelay lowdelay"),
                Some("0x10 0x10"),
            ],
        ),
        (
            "+8",
            [
                Some("throughput throughput"),
                Some("throughput throughput"),
                Some("0x08 0x08"),
            ],
        ),
        ("va", [None, None, Some("va va")]),
        ("af21 cs1", [Some("af21 cs1"); 3]),
    ];
    for (input, answers) in table {
        c.each(&format!("IPQoS {input}\n"), &["h"], |p| {
            let v = match p.rules.ipqos {
                Strtol => answers[0],
                Decimal => answers[1],
                DscpOnly => answers[2],
            };
            value_or("ipqos", v, bad)
        });
    }
    // 0x04 is named `le` from 8.9 (`reliability` before).
    c.each("IPQoS reliability\n", &["h"], |p| {
        let v = match p.rules.ipqos {
            DscpOnly => "none none",
            _ if p.release.at_least(8, 9) => "le le",
            _ => "reliability reliability",
        };
        prints(&[("ipqos", v)])
    });
}

#[test]
fn list_options_by_release() {
    let c = Case::new("list_options_by_release");
    // A list whose only argument is a comment is refused from 9.7.
    for (line, key) in [
        ("SendEnv # c", "sendenv"),
        ("SetEnv # c", "setenv"),
        ("CanonicalDomains # c", "canonicaldomains"),
    ] {
        c.each(&format!("{line}\n"), &["h"], |p| {
            match p.rules.lists_need_arguments {
                true => Err(match key {
                    "sendenv" => "no sendenv specified",
                    "setenv" => "no setenv specified",
                    _ => "no canonicaldomains specified",
                }),
                false => Ok(vec![]),
            }
        });
    }
    // SetEnv drops a repeated name (9.2); expands its values (10.0).
    c.each("SetEnv A=1 A=2\n", &["h"], |p| {
        prints(&[(
            "setenv",
            if p.rules.setenv_drops_duplicates {
                "A=1"
            } else {
                "A=1 / A=2"
            },
        )])
    });
    c.each("SetEnv A=%h\n", &["h"], |p| {
        prints(&[(
            "setenv",
            if p.rules.setenv_expansion {
                "A=h"
            } else {
                "A=%h"
            },
        )])
    });
    c.each("SetEnv A=50%\n", &["h"], |p| {
        match p.rules.setenv_expansion {
            true => Err("invalid format"),
            false => prints(&[("setenv", "A=50%")]),
        }
    });
    // PermitRemoteOpen skipped its first argument before 9.2.
    c.each("PermitRemoteOpen h:22\n", &["h"], |p| {
        prints(&[(
            "permitremoteopen",
            if p.rules.remote_open_first_argument {
                "h:22"
            } else {
                "any"
            },
        )])
    });
    // CanonicalDomains names are lowercased; a leading `_` from 10.0.
    c.each("CanonicalDomains Example.COM a.example.\n", &["h"], |_| {
        prints(&[("canonicaldomains", "example.com a.example")])
    });
    c.each("CanonicalDomains _a.example\n", &["h"], |p| {
        match p.rules.domain_underscore {
            true => prints(&[("canonicaldomains", "_a.example")]),
            false => Err("starts with invalid character"),
        }
    });
    // CanonicalizePermittedCNAMEs none (8.9), printed always from then.
    c.each("CanonicalizePermittedCNAMEs none\n", &["h"], |p| {
        match p.rules.cnames_none {
            true => prints(&[("canonicalizepermittedcnames", "none")]),
            false => Err("Invalid permitted CNAME \"none\""),
        }
    });
    c.each("", &["h"], |p| match p.rules.cnames_none {
        true => prints(&[("canonicalizepermittedcnames", "none")]),
        false => absent("canonicalizepermittedcnames"),
    });
    // PubkeyAuthentication became a multistate in 8.9.
    c.each("PubkeyAuthentication unbound\n", &["h"], |p| {
        match p.rules.pubkey_multistate {
            true => prints(&[("pubkeyauthentication", "unbound")]),
            false => Err("unsupported option"),
        }
    });
    c.each("Compression yes\n", &["h"], |p| {
        prints(&[("compression", compression_yes(p))])
    });
}

#[test]
fn algorithm_lists_by_release() {
    let c = Case::new("algorithm_lists_by_release");
    // An empty list: until 10.3 ssh prints what it assembled before it (and
    // the later lists as written); 10.4 refuses it.
    c.each("Ciphers ,\n", &["h"], |p| {
        match p.rules.strict_algorithm_lists {
            true => Err("Bad SSH2 cipher spec ','."),
            false => Ok(vec![
                ("ciphers", None),
                ("macs", None),
                ("hostkeyalgorithms", Some(p.defaults.host_keys.to_string())),
            ]),
        }
    });
    c.each("KexAlgorithms ,\n", &["h"], |p| {
        match p.rules.strict_algorithm_lists {
            true => Err("invalid argument"),
            false => Ok(vec![
                ("kexalgorithms", None),
                ("macs", Some(p.defaults.macs.to_string())),
                ("pubkeyacceptedalgorithms", None),
            ]),
        }
    });
    // -c and -m check the names up to the first empty one (10.4: at least
    // one), keep the value as given, and assemble it with the files' lists
    // (found by the ssh_vs_ssh_g fuzz target).
    c.each("", &["-m", "hmac-sha1,,bogus", "h"], |_| {
        prints(&[("macs", "hmac-sha1")])
    });
    c.each("", &["-m", ",x", "h"], |p| {
        match p.rules.strict_algorithm_lists {
            true => Err("Unknown mac type ',x'"),
            // An unassembled list: a warning, and no macs line.
            false => Ok(vec![("macs", None)]),
        }
    });
    c.each("", &["-c", "^aes128-ctr,aes256-ctr", "h"], |p| {
        let rest: Vec<&str> = p
            .defaults
            .ciphers
            .split(',')
            .filter(|c| !["aes128-ctr", "aes256-ctr"].contains(c))
            .collect();
        prints(&[(
            "ciphers",
            &format!("aes128-ctr,aes256-ctr,{}", rest.join(",")),
        )])
    });
    c.each("", &["-c", "none", "h"], |_| {
        Err("Unknown cipher type 'none'")
    });
    // ... and skips the `none` clean-ups that follow.
    c.each("MACs ,\nLocalCommand none\n", &["h"], |p| {
        match p.rules.strict_algorithm_lists {
            true => Err("Bad SSH2 MAC spec ','."),
            false => prints(&[("localcommand", "none")]),
        }
    });
    c.each("Ciphers -*\n", &["h"], |_| prints(&[("ciphers", "")]));
    // Key types each build knows: DSA until 9.8 (upstream), ML-DSA 10.5,
    // webauthn certificates 10.3.
    c.each("HostKeyAlgorithms ssh-dss\n", &["h"], |p| {
        match p.build.dsa {
            true => prints(&[("hostkeyalgorithms", "ssh-dss")]),
            false => Err("Bad key types 'ssh-dss'."),
        }
    });
    c.each(
        "HostKeyAlgorithms ssh-mldsa44-ed25519@openssh.com\n",
        &["h"],
        |p| match p.release.at_least(10, 5) {
            true => prints(&[("hostkeyalgorithms", "ssh-mldsa44-ed25519@openssh.com")]),
            false => Err("Bad key types"),
        },
    );
    c.each("HostKeyAlgorithms ssh-ed*\n", &["h"], |_| {
        prints(&[(
            "hostkeyalgorithms",
            "ssh-ed25519,ssh-ed25519-cert-v01@openssh.com",
        )])
    });
    // CASignatureAlgorithms refuses certificate types from 9.4; before, the
    // list cannot be assembled, and ssh prints without it.
    c.each(
        "CASignatureAlgorithms ssh-ed25519-cert-v01@openssh.com\n",
        &["h"],
        |p| match p.rules.ca_names_only {
            true => Err("Bad key types"),
            false => absent("casignaturealgorithms"),
        },
    );
    c.each(
        "KexAlgorithms sntrup761x25519-sha512\n",
        &["h"],
        |p| match p.defaults.kex_names.contains(&"sntrup761x25519-sha512") {
            true => prints(&[("kexalgorithms", "sntrup761x25519-sha512")]),
            false => Err("Bad SSH2 KexAlgorithms"),
        },
    );
}
