//! The differential test's generator: seeded (xorshift64*), deterministic
//! configs and command lines. It writes Host/Match trees, Include trees
//! with globs, self-inclusion, relative and missing includes, pattern
//! lists, negations, duplicates, quoting, `=` forms, time units, comments,
//! bad values and bad Match lines, `IgnoreUnknown`, the command-line
//! options ssh reads, `ssh://` and `user@` destinations, line-end and
//! blank-line variants; and what changed between 8.7 and 10.5 and the
//! vendor keywords (`CHANGED`, the Match criteria and tokens, the Include
//! tokens, the command-line host, user and jump checks, remote commands),
//! so that every build meets what it does differently. The keywords and
//! their values are `options`.

use std::path::Path;

mod options;

use options::{LATER_KEYWORDS, option};

/// xorshift64*: small, seedable, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const HOSTS: &[&str] = &[
    "a",
    "b.example.com",
    "B.Example.COM",
    "c.ci.example.com",
    "host-1",
    "127.1",
    "10.0.0.1",
    "x",
    "bitbucket.example.com",
];

const PATTERNS: &[&str] = &[
    "a",
    "*",
    "*.example.com",
    "*.ci.example.com",
    "b*",
    "?",
    "host-?",
    "B.Example.COM",
    "b.example.com",
    "10.0.0.*",
    "127.*",
    "x",
    "bitbucket.example.com",
    "real.example.net",
    "*.example.net",
];

fn pattern(r: &mut Rng) -> String {
    let p = r.pick(PATTERNS);
    if r.chance(20) {
        format!("!{p}")
    } else {
        p.to_string()
    }
}

fn pattern_list(r: &mut Rng) -> String {
    let n = 1 + r.below(3);
    (0..n).map(|_| pattern(r)).collect::<Vec<_>>().join(",")
}

/// Writes `Key Value` in one of ssh's accepted spellings.
fn spell(r: &mut Rng, k: &str, v: &str) -> String {
    let indent = r.pick(&["", "  ", "\t", "    "]);
    let v = if !v.contains(' ') && r.chance(15) {
        format!("\"{v}\"")
    } else {
        v.to_string()
    };
    let sep = r.pick(&[" ", " ", "=", " = ", "\t", "  "]);
    let comment = if r.chance(8) { " # note" } else { "" };
    format!("{indent}{k}{sep}{v}{comment}")
}

fn match_line(r: &mut Rng) -> String {
    let mut parts = Vec::new();
    if r.chance(2) {
        // Lines ssh rejects.
        return r
            .pick(&[
                "Match foo x",
                "Match host",
                "Match all host x",
                "Match exec",
                "Match host \"a",
                "Match",
                "Match all # trailing",
            ])
            .to_string();
    }
    if r.chance(5) {
        return r.pick(&["Match all", "Match !all"]).to_string();
    }
    let n = 1 + r.below(3);
    for _ in 0..n {
        let neg = if r.chance(20) { "!" } else { "" };
        let c = match r.below(12) {
            9 if r.chance(50) => changed_criterion(r, neg),
            9..=11 => format!("{neg}host {}", pattern_list(r)),
            0 | 1 => format!("{neg}host {}", pattern_list(r)),
            2 => format!("{neg}originalhost {}", pattern_list(r)),
            3 => format!(
                "{neg}user {}",
                r.pick(&["git", "root", "alice,!bob", "*", "Bob"])
            ),
            4 => format!("{neg}localuser {}", r.pick(&["root", "nobody", "r*"])),
            5 => format!(
                "{neg}exec {}",
                r.pick(&["true", "false", "\"test %p = 22\"", "\"test %h = a\""])
            ),
            6 => format!("{neg}canonical"),
            7 => format!("{neg}final"),
            _ => format!("{} {}", r.pick(&["Host", "HOST", "host"]), pattern_list(r)),
        };
        parts.push(c);
    }
    format!("Match {}", parts.join(" "))
}

/// A Match criterion whose reading changed (tokens, `criterion=arg`) or
/// that a later release added.
fn changed_criterion(r: &mut Rng, neg: &str) -> String {
    let c = r.pick(&[
        "host 'x'",
        "host=x",
        "host = x",
        "host=a,x",
        "originalhost=B.Example.COM",
        "exec=true",
        "tagged t1",
        "tagged *",
        "tagged \"\"",
        "tagged=t2",
        "localnetwork 127.0.0.0/8",
        "localnetwork 198.51.100.0/24",
        "localnetwork ::1/128",
        "localnetwork foo",
        "version OpenSSH_*",
        "version OpenSSH_9.2p1*",
        "version *Debian*",
        "version=OpenSSH_10.*",
        "sessiontype shell",
        "sessiontype exec",
        "sessiontype none",
        "sessiontype=shell",
        "command ls*",
        "command \"\"",
        "final",
        "canonical",
    ]);
    format!("{neg}{c}")
}

/// One generated file body; includes point into `dir`.
fn body(r: &mut Rng, dir: &Path, depth: usize, files: &mut Vec<(String, String)>) -> String {
    let mut lines = Vec::new();
    if depth == 0 && r.chance(70) {
        // The keywords some builds lack: each build ignores the ones it
        // does not know, and reads the others.
        lines.push(format!(
            "IgnoreUnknown Bogus,Other,{}",
            LATER_KEYWORDS.join(",")
        ));
    } else if r.chance(10) {
        lines.push("IgnoreUnknown Bogus,Other".to_string());
    }
    let blocks = 1 + r.below(5);
    for _ in 0..blocks {
        match r.below(10) {
            0..=4 => {
                // Now and then more patterns than a line keeps inline.
                let n = if r.chance(5) {
                    7 + r.below(4)
                } else {
                    1 + r.below(3)
                };
                let pats: Vec<String> = (0..n).map(|_| pattern(r)).collect();
                lines.push(format!(
                    "{} {}",
                    r.pick(&["Host", "host", "HOST"]),
                    pats.join(r.pick(&[" ", "  ", "\t"]))
                ));
            }
            5..=7 => lines.push(match_line(r)),
            _ => {}
        }
        let opts = r.below(5);
        for _ in 0..opts {
            let (k, v) = option(r);
            lines.push(spell(r, &k, &v));
        }
        if r.chance(10) {
            lines.push("# a comment".into());
        }
        if r.chance(8) {
            lines.push(r.pick(&["", "   ", "\t", " \t "]).into());
        }
        if depth < 2 && r.chance(20) {
            let name = format!("inc{}_{}.conf", depth, files.len());
            let path = dir.join(&name);
            let inc = body(r, dir, depth + 1, files);
            files.push((name.clone(), inc));
            let target = if r.chance(30) {
                format!("{}/inc{}_*.conf", dir.display(), depth)
            } else {
                path.display().to_string()
            };
            let missing = if r.chance(20) {
                format!(" {}/nothing-*.conf", dir.display())
            } else {
                String::new()
            };
            lines.push(format!("Include {target}{missing}"));
        }
        if depth == 0 && r.chance(1) {
            // Includes itself: ssh stops at depth 16.
            lines.push(format!("Include {}/config", dir.display()));
        }
        if r.chance(2) {
            lines.push(
                // A directory reads as empty; `~name` is the account's home.
                r.pick(&[
                    "Include relative-missing.conf",
                    "Include ~/.ssh/missing-*",
                    "Include ~root/.pg-missing-*",
                    "Include /usr",
                ])
                .into(),
            );
        }
        if r.chance(4) {
            // Tokens in Include paths (9.9): the files exist for a few
            // hosts; an unknown token stops ssh, an unset variable skips.
            let d = dir.display().to_string();
            let rel = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            lines.push(match r.below(10) {
                0..=3 => format!("Include {d}/tok_%h.conf"),
                4..=6 => format!("Include ${{HOME}}/{rel}/tok_home.conf"),
                7 => format!("Include {d}/tok_%Z.conf"),
                8 => format!("Include {d}/tok_%%h.conf"),
                _ => "Include ${PUSHGUARD_UNSET_VARIABLE}/x.conf".into(),
            });
        }
    }
    // Line ends and trailing whitespace vary: CRLF, blanks and form feeds
    // at the end of a line, and a last line without its newline.
    let mut text = String::new();
    let n = lines.len();
    for (i, l) in lines.into_iter().enumerate() {
        text.push_str(&l);
        if !l.trim().is_empty() && r.chance(5) {
            text.push_str(r.pick(&[" ", "\t", "  \t", "\x0c", " \x0c"]));
        }
        let end = if i + 1 == n && r.chance(10) {
            ""
        } else if r.chance(5) {
            "\r\n"
        } else {
            "\n"
        };
        text.push_str(end);
    }
    text
}

pub fn case(seed: u64, dir: &Path) -> (Vec<String>, String) {
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut files = Vec::new();
    let main = body(&mut r, dir, 0, &mut files);
    for (name, text) in &files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    // Now and then an included file others may write: ssh refuses it,
    // Debian's patch allows a group that holds only the user.
    if !files.is_empty() && r.chance(15) {
        use std::os::unix::fs::PermissionsExt;
        let (name, _) = &files[r.below(files.len())];
        let mode = if r.chance(25) { 0o646 } else { 0o664 };
        std::fs::set_permissions(dir.join(name), std::fs::Permissions::from_mode(mode)).unwrap();
    }
    for (name, text) in [
        ("tok_a.conf", "Port 2001\n"),
        ("tok_x.conf", "Port 2002\nUser tok\n"),
        ("tok_home.conf", "Port 2003\n"),
        ("tok_%h.conf", "Port 2004\n"),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let cfg = dir.join("config");
    std::fs::write(&cfg, &main).unwrap();
    let mut args = vec!["-F".to_string(), cfg.display().to_string()];
    let nopt = r.below(4);
    for _ in 0..nopt {
        match r.below(9) {
            7 => changed_command_line(&mut r, &mut args),
            8 => {
                args.push("-p".into());
                args.push(r.pick(&["2200", "22"]).into());
            }
            0 | 1 => {
                let (k, v) = option(&mut r);
                if r.chance(2) {
                    args.push("-o".into());
                    args.push(r.pick(&["Host=x", "Match all", "Include /tmp/x"]).into());
                } else if k != "Bogus" {
                    args.push("-o".into());
                    args.push(format!("{k}{}{v}", r.pick(&["=", " "])));
                }
            }
            2 => {
                args.push("-p".into());
                args.push(r.pick(&["2200", "22"]).into());
            }
            3 => {
                args.push("-l".into());
                args.push(r.pick(&["carol", "git"]).into());
            }
            4 => args.push(r.pick(&["-4", "-6"]).into()),
            5 => {
                args.push("-J".into());
                args.push(r.pick(&["j1", "u@j2:2022"]).into());
            }
            _ => {
                args.push("-i".into());
                args.push(
                    r.pick(&["/etc/hostname", "~root/../etc/hostname", "~pg-nosuch/id"])
                        .into(),
                );
            }
        }
    }
    let host = r.pick(HOSTS);
    let dest = match r.below(7) {
        0 => format!("git@{host}"),
        1 if !host.contains(':') => format!("ssh://u@{host}:2022"),
        // Host and user names that later releases check.
        6 if r.chance(40) => r
            .pick(&[
                "a,b",
                "a;b",
                "a b",
                "a;b@h",
                "x\u{1}y@h",
                "ssh://u%3bx@h",
                "ssh://u%00x@h",
                "ssh://u%41@h",
                "ssh://u;fp=x@h",
                "ssh://u+v@_h",
            ])
            .to_string(),
        _ => host.to_string(),
    };
    // ssh also reads options after the destination.
    let at = if r.chance(25) {
        2 + r.below(args.len() - 1)
    } else {
        args.len()
    };
    args.insert(at, dest);
    // Now and then a remote command (`Match command`, `sessiontype exec`).
    if r.chance(10) {
        args.extend(r.pick(&["ls -l", "sftp"]).split(' ').map(String::from));
    }
    let mut text = format!("== config\n{main}");
    for (n, _) in &files {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join(n)).map(|m| m.permissions().mode() & 0o777);
        if let Ok(m @ (0o664 | 0o646)) = mode {
            text.push_str(&format!("== chmod {m:o} {n}\n"));
        }
    }
    for (n, t) in &files {
        text.push_str(&format!("== {n}\n{t}"));
    }
    (args, text)
}

/// A command-line option whose reading changed between releases.
fn changed_command_line(r: &mut Rng, args: &mut Vec<String>) {
    let words: &[&str] = match r.below(14) {
        0 => &["-P", "t1"],
        1 => &["-J", "none"],
        2 => &["-o", "ProxyJump=none"],
        3 => &["-J", "a;b"],
        4 => &["-J", "j1 j2"],
        5 => &["-l", "a;b"],
        6 => &["-l", "x%hy"],
        7 => &["-o", "User=x%hy"],
        8 => &["-o", "User=a;b"],
        9 => &["-l", "a\u{1}b"],
        10 => &["-q"],
        11 => &["-o", "BatchMode=yes"],
        12 => &["-N"],
        _ => &["-s"],
    };
    args.extend(words.iter().map(|w| w.to_string()));
}
