//! ssh's pattern language: `*` and `?` wildcards over a whole string, and
//! comma-separated lists of patterns where `!pattern` vetoes.
//!
//! - [`match_pattern`]: one pattern, byte-wise.
//! - [`match_pattern_list`], [`match_hostname`]: a list, with its
//!   [`ListMatch`] outcome (host names case-insensitively).
//!
//! Hand-written: ssh's `match_pattern_list` rules (a negated match wins,
//! patterns of 1023 bytes or more never match) are what it decides on.

/// `*` and `?` wildcard match of a whole string, byte-wise.
pub(crate) fn match_pattern(s: &str, pattern: &str) -> bool {
    // Most patterns are names that end in a plain byte: a different last
    // byte settles it at once.
    if let (Some(&pl), Some(&sl)) = (pattern.as_bytes().last(), s.as_bytes().last())
        && pl != b'*'
        && pl != b'?'
        && pl != sl
    {
        return false;
    }
    wild_match(s.as_bytes(), pattern.as_bytes(), Fold::None)
}

/// Which side of a match is taken in lowercase (as if lowercased first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fold {
    None,
    Pattern,
    Both,
}

/// The wildcard match behind [`match_pattern`], lowercasing on the fly.
fn wild_match(s: &[u8], p: &[u8], fold: Fold) -> bool {
    let pc = |c: u8| {
        if fold == Fold::None {
            c
        } else {
            c.to_ascii_lowercase()
        }
    };
    let sc = |c: u8| {
        if fold == Fold::Both {
            c.to_ascii_lowercase()
        } else {
            c
        }
    };
    star_match(s, p, |p, i, c| {
        (p[i] != b'*').then(|| (p[i] == b'?' || pc(p[i]) == sc(c), 1))
    })
}

/// A wildcard match where every token but `*` takes one character:
/// `token(p, i, c)` says whether the token at `p[i..]` takes `c` and how
/// long the token is, or `None` for a `*`. One backtrack point (the last
/// `*`) is then enough, so many stars cost no more than one.
pub(crate) fn star_match(
    s: &[u8],
    p: &[u8],
    token: impl Fn(&[u8], usize, u8) -> Option<(bool, usize)>,
) -> bool {
    let (mut si, mut pi) = (0, 0);
    // After the last `*`: where its pattern goes on, and where in `s` it
    // was tried from.
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() {
            match token(p, pi, s[si]) {
                None => {
                    pi += 1;
                    star = Some((pi, si));
                    continue;
                }
                Some((true, len)) => {
                    pi += len;
                    si += 1;
                    continue;
                }
                Some((false, _)) => {}
            }
        }
        match star {
            Some((sp, ss)) => {
                pi = sp;
                si = ss + 1;
                star = Some((sp, ss + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|c| *c == b'*')
}

/// The outcome of matching against a comma-separated pattern list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListMatch {
    /// A `!pattern` matched.
    Negated,
    /// No pattern matched.
    No,
    /// A positive pattern matched and no negated one did.
    Yes,
}

/// Matches `s` against a comma-separated list of patterns, each possibly
/// negated with `!`; with `lower`, patterns are lowercased first.
pub(crate) fn match_pattern_list(s: &str, list: &str, lower: bool) -> ListMatch {
    pattern_list(s, list, if lower { Fold::Pattern } else { Fold::None })
}

fn pattern_list(s: &str, list: &str, fold: Fold) -> ListMatch {
    let mut got = false;
    for sub in list.split(',') {
        let (neg, pat) = match sub.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, sub),
        };
        if pat.len() >= 1023 {
            return ListMatch::No;
        }
        if wild_match(s.as_bytes(), pat.as_bytes(), fold) {
            if neg {
                return ListMatch::Negated;
            }
            got = true;
        }
    }
    if got { ListMatch::Yes } else { ListMatch::No }
}

/// Host matching: the host lowercased against the lowercased pattern list.
pub(crate) fn match_hostname(host: &str, list: &str) -> ListMatch {
    pattern_list(host, list, Fold::Both)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many stars cost no more than one (a `Host` or `Match` pattern is
    /// matched with one backtrack point, not recursively).
    #[test]
    fn many_stars_are_linear() {
        let p = format!("{}b", "*a".repeat(30));
        assert!(!wild_match(&[b'a'; 100], p.as_bytes(), Fold::None));
        assert!(wild_match(
            b"aaaab",
            &p.as_bytes()[p.len() - 5..],
            Fold::None
        ));
        assert!(wild_match(b"xAy", b"*a?", Fold::Both) && !wild_match(b"xA", b"*a?", Fold::Both));
        assert!(wild_match(b"", b"**", Fold::None) && !wild_match(b"", b"?", Fold::None));
    }

    #[test]
    fn patterns() {
        assert!(match_pattern("foo.example", "*.example"));
        assert!(match_pattern("ab", "a?"));
        assert!(!match_pattern("a", "a?"));
        assert_eq!(match_pattern_list("a", "b,!a", false), ListMatch::Negated);
        assert_eq!(match_pattern_list("a", "a,b", false), ListMatch::Yes);
        assert_eq!(match_hostname("A", "a"), ListMatch::Yes);
        // Folding on the fly equals lowercasing first.
        let hosts = ["Host-1.Example.COM", "a", "B", "xY", ""];
        let lists = ["*.example.com", "HOST-?.*", "!x*,*", "a,B", "?", "*Y", "X?"];
        for h in hosts {
            for l in lists {
                let lowered =
                    match_pattern_list(&h.to_ascii_lowercase(), &l.to_ascii_lowercase(), false);
                assert_eq!(match_hostname(h, l), lowered, "{h} {l}");
                let pat_only = match_pattern_list(h, &l.to_ascii_lowercase(), false);
                assert_eq!(match_pattern_list(h, l, true), pat_only, "{h} {l}");
            }
        }
    }
}
