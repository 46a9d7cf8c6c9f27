//! Where the keepalive lines go so that they win, and only for this host,
//! read from what the resolver read (`ssh::ReadLog`, in ssh's read order).
//!
//! ssh keeps the first value it obtains, so the lines must come, in read
//! order, before the first line that applies to this host and sets a key
//! the fix writes (the *winner*). In order of preference:
//!
//! 1. The winner's block is this host's own (`Host <alias>`, every pattern
//!    the alias, in the same file): change the value there.
//! 2. An applying `Host <alias>` block is read before the winner: add the
//!    lines right after its header.
//! 3. A new `Host <alias>` block right before the header of the winner's
//!    block. When the winner is before its file's first Host/Match: in an
//!    included file those lines belong to the includer's block, so climb to
//!    the Include line and place before *its* block; in a top file they are
//!    global, so the new block goes above them, closed by `Host *` so that
//!    they still apply to every host.
//!
//! No winner in the first pass (the default applies, or only a final-pass
//! line sets it), or a winner in the system file (which ssh reads after the
//! user file): 2, else a new block at the end of the top file (the user file
//! or the `-F` file). A new block only ever starts at a block boundary, so
//! it captures no line that was there.

use std::path::{Path, PathBuf};

use super::edit::{Before, Key, Place};
use crate::ssh::{Kind, Origin, ReadLog};

/// Where the lines go, and why, in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// The place.
    pub place: Place,
    /// Why there.
    pub why: String,
}

fn at(e: &crate::ssh::Event) -> (PathBuf, usize) {
    match &e.origin {
        Origin::File { path, line } => (path.clone(), *line),
        _ => (PathBuf::new(), 0),
    }
}

/// The first-pass line that won `key`, if any.
fn winner(log: &ReadLog, key: Key) -> Option<usize> {
    log.events
        .iter()
        .position(|e| matches!(e.kind, Kind::Set { key: k, won: true } if k == key.ssh_g()))
        .filter(|&i| !log.events[i].final_pass)
}

/// A `Host` event whose every pattern is `alias`.
fn own_host(log: &ReadLog, i: usize, alias: &str) -> bool {
    matches!(&log.events[i].kind, Kind::Host(p) if !p.is_empty() && p.iter().all(|x| x == alias))
}

/// Places `keys` for `alias`; `top` is the file a new block at the end goes to.
pub fn place(log: &ReadLog, keys: &[Key], alias: &str, top: &Path) -> Placed {
    let wins: Vec<(Key, Option<usize>)> = keys.iter().map(|&k| (k, winner(log, k))).collect();
    let first = wins.iter().filter_map(|(_, w)| *w).min();
    let user_first = first.filter(|&i| log.events[i].userconf);
    let describe = |i: usize| {
        let (p, l) = at(&log.events[i]);
        format!("{}:{l}", p.display())
    };
    let block = |b: usize| match &log.events[b].kind {
        Kind::Host(p) => format!("the `Host {}` block at {}", p.join(" "), describe(b)),
        _ => format!("the Match block at {}", describe(b)),
    };
    // 1. The first winner sits in this host's own block: change the values
    // set there, and add the other keys after the last of those lines.
    if let Some(w) = user_first
        && let Some(b) = log.events[w].block.filter(|&b| own_host(log, b, alias))
    {
        let in_block =
            |i: usize| log.events[i].block == Some(b) && log.events[i].file == log.events[w].file;
        let edited: Vec<(Key, usize)> = wins
            .iter()
            .filter_map(|(k, v)| v.filter(|&i| in_block(i)).map(|i| (*k, i)))
            .collect();
        let last = edited.iter().map(|(_, i)| *i).max().unwrap_or(w);
        let later = wins
            .iter()
            .all(|(_, v)| v.is_none_or(|i| in_block(i) || i > last));
        if later {
            let mut lines: Vec<(usize, Key)> = edited
                .iter()
                .map(|(k, i)| (at(&log.events[*i]).1, *k))
                .collect();
            lines.sort();
            let add = wins
                .iter()
                .filter(|(_, v)| v.is_none_or(|i| !in_block(i)))
                .map(|(k, _)| *k)
                .collect();
            let (file, header) = at(&log.events[b]);
            let why = format!(
                "the value that wins is set at {} in the Host {alias} block at {}:{header}, which is this host's own: it changes there",
                describe(w),
                file.display()
            );
            return Placed {
                place: Place::Values { file, lines, add },
                why,
            };
        }
    }
    // 2. This host's own block, read before the winner.
    let limit = first.unwrap_or(usize::MAX);
    let own = (0..log.events.len().min(limit)).find(|&i| {
        let e = &log.events[i];
        e.userconf && e.active && !e.final_pass && own_host(log, i, alias)
    });
    if let Some(h) = own {
        let (file, header) = at(&log.events[h]);
        let why = match first {
            Some(w) => format!(
                "ssh keeps the first value it reads, and the Host {alias} block at {} comes before the line that wins now ({}): the lines go into it",
                describe(h),
                describe(w)
            ),
            None => format!(
                "no line sets them for {alias} now: the lines go into its Host {alias} block at {}",
                describe(h)
            ),
        };
        return Placed {
            place: Place::AfterHeader { file, header },
            why,
        };
    }
    let Some(w) = user_first else {
        let why = match first {
            Some(w) => format!(
                "the value that wins comes from {}, which ssh reads after {}: a Host {alias} block at the end of {} comes first",
                describe(w),
                top.display(),
                top.display()
            ),
            None => format!(
                "no line sets them for {alias} now: a Host {alias} block at the end of {}",
                top.display()
            ),
        };
        return Placed {
            place: Place::NewBlock {
                file: top.to_path_buf(),
                before: Before::End,
            },
            why,
        };
    };
    // 3. A new block before the winner's block, climbing out of included files.
    let mut i = w;
    loop {
        let e = &log.events[i];
        if let Some(b) = e.block {
            let (file, line) = at(&log.events[b]);
            let why = format!(
                "ssh keeps the first value it reads, and {} sets it for {alias}, in {}: a Host {alias} block goes right above that block",
                describe(w),
                block(b)
            );
            return Placed {
                place: Place::NewBlock {
                    file,
                    before: Before::Line(line),
                },
                why,
            };
        }
        match log.parent(i) {
            Some(include) => i = include,
            None => {
                let (file, _) = at(e);
                let why = format!(
                    "ssh keeps the first value it reads, and {} is a global option (before the first Host or Match of {}): a Host {alias} block goes above the global options, closed by `Host *` so that they still apply to every host",
                    describe(w),
                    file.display()
                );
                return Placed {
                    place: Place::NewBlock {
                        file,
                        before: Before::Globals,
                    },
                    why,
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssh::{ExecPolicy, Profile, ResolveEnv, ResolveRequest, resolve_logged};

    /// Places both keys for `h` in `files` (the first is the `-F` file).
    fn placed(files: &[(&str, &str)]) -> (Placed, PathBuf) {
        let dir = tempfile::tempdir().unwrap().keep();
        for (name, text) in files {
            let text = text.replace("$DIR", &dir.display().to_string());
            std::fs::write(dir.join(name), text).unwrap();
        }
        let top = dir.join(files[0].0);
        let req =
            ResolveRequest::from_ssh_args(&["-F".into(), top.display().to_string(), "h".into()])
                .unwrap();
        let env = ResolveEnv::current(Profile::newest(), ExecPolicy::Unknown);
        let (_, log) = resolve_logged(&req, &env).unwrap();
        (place(&log, &[Key::Interval, Key::CountMax], "h", &top), dir)
    }

    fn new_block(dir: &Path, file: &str, before: Before) -> Place {
        Place::NewBlock {
            file: dir.join(file),
            before,
        }
    }

    #[test]
    fn above_the_block_that_wins() {
        let (p, d) = placed(&[(
            "c",
            "Host x\n  User y\nHost *\n  ServerAliveInterval 0\nHost h\n  ServerAliveInterval 30\n",
        )]);
        assert_eq!(p.place, new_block(&d, "c", Before::Line(3)));
        assert!(
            p.why
                .contains("c:4 sets it for h, in the `Host *` block at"),
            "{}",
            p.why
        );
    }

    #[test]
    fn above_global_options() {
        let (p, d) = placed(&[("c", "# me\nServerAliveCountMax 2\nHost h\n  User g\n")]);
        // The block of `h` comes after the global line: not usable.
        assert_eq!(p.place, new_block(&d, "c", Before::Globals));
    }

    #[test]
    fn in_this_hosts_own_block() {
        let (p, d) = placed(&[(
            "c",
            "Host h\n  ServerAliveInterval 900\nHost *\n  ServerAliveCountMax 3\n",
        )]);
        // CountMax is first set by `Host *`, which comes after: added after it.
        assert_eq!(
            p.place,
            Place::Values {
                file: d.join("c"),
                lines: vec![(2, Key::Interval)],
                add: vec![Key::CountMax]
            }
        );
        let (p, d) = placed(&[("c", "Host h\n  User g\nHost *\n  ServerAliveInterval 0\n")]);
        assert_eq!(
            p.place,
            Place::AfterHeader {
                file: d.join("c"),
                header: 1
            }
        );
        let (p, d) = placed(&[(
            "c",
            "Host h\n  ServerAliveInterval 900\n  ServerAliveCountMax 1\n",
        )]);
        assert_eq!(
            p.place,
            Place::Values {
                file: d.join("c"),
                lines: vec![(2, Key::Interval), (3, Key::CountMax)],
                add: vec![]
            }
        );
        let (p, _) = placed(&[("c", "Host h\n  ServerAliveInterval 900\n")]);
        assert!(matches!(&p.place, Place::Values { add, .. } if add == &[Key::CountMax]));
    }

    #[test]
    fn inside_an_included_file_or_above_its_include() {
        let (p, d) = placed(&[
            ("c", "Host *\n  Include $DIR/inc\n"),
            ("inc", "User u\nHost h*\n  ServerAliveInterval 0\n"),
        ]);
        assert_eq!(p.place, new_block(&d, "inc", Before::Line(2)));
        let (p, d) = placed(&[
            ("c", "Host a\n  User a\nHost *\n  Include $DIR/inc\n"),
            ("inc", "ServerAliveInterval 0\n"),
        ]);
        assert_eq!(p.place, new_block(&d, "c", Before::Line(3)), "{}", p.why);
        let (p, d) = placed(&[
            ("c", "Include $DIR/inc\nHost a\n"),
            ("inc", "ServerAliveInterval 0\n"),
        ]);
        assert_eq!(p.place, new_block(&d, "c", Before::Globals));
    }

    #[test]
    fn nothing_sets_it_or_a_block_that_does_not_apply() {
        let (p, d) = placed(&[(
            "c",
            "Host x\n  ServerAliveInterval 0\nMatch host other\n  ServerAliveInterval 0\n",
        )]);
        assert_eq!(p.place, new_block(&d, "c", Before::End));
        assert!(
            p.why.starts_with("no line sets them for h now"),
            "{}",
            p.why
        );
    }
}
