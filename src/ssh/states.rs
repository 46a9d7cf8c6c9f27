//! ssh's multistate word tables: the words a yes/no-like keyword accepts,
//! the numbers they mean, and how `ssh -G` prints each number.
//!
//! - [`States`]: one table, with [`States::value`] and [`States::print`].
//! - `FLAG`, `YESNOASK`, `STRICT`…: the tables of `readconf.c`, named after
//!   it; the keyword rows point to them.

/// A multistate table: the words ssh accepts and the numbers they mean.
#[derive(Debug)]
pub(crate) struct States {
    /// Word and value, in ssh's order (the first word of a value is how it
    /// prints).
    pub words: &'static [(&'static str, i32)],
    /// Prints through the table; otherwise as yes/no.
    pub own_names: bool,
}

impl States {
    /// The value of a word, ignoring ASCII case.
    pub(crate) fn value(&self, arg: &str) -> Option<i32> {
        self.words
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(arg))
            .map(|(_, v)| *v)
    }

    /// A value as `ssh -G` prints it.
    pub(crate) fn print(&self, v: i32) -> &'static str {
        if self.own_names {
            self.words
                .iter()
                .find(|(_, x)| *x == v)
                .map_or("UNKNOWN", |(k, _)| k)
        } else {
            match v {
                0 => "no",
                1 => "yes",
                _ => "UNKNOWN",
            }
        }
    }
}

/// yes/no.
pub(crate) static FLAG: States = States {
    words: &[("true", 1), ("false", 0), ("yes", 1), ("no", 0)],
    own_names: false,
};
/// Compression: yes/no only.
pub(crate) static COMPRESSION: States = States {
    words: &[("yes", 1), ("no", 0)],
    own_names: false,
};
/// yes/no/ask.
pub(crate) static YESNOASK: States = States {
    words: &[("true", 1), ("false", 0), ("yes", 1), ("no", 0), ("ask", 2)],
    own_names: true,
};
/// StrictHostKeyChecking.
pub(crate) static STRICT: States = States {
    words: &[
        ("true", 2),
        ("false", 0),
        ("yes", 2),
        ("no", 0),
        ("ask", 3),
        ("off", 0),
        ("accept-new", 1),
    ],
    own_names: true,
};
/// AddKeysToAgent's flag.
pub(crate) static YESNOASKCONFIRM: States = States {
    words: &[
        ("true", 1),
        ("false", 0),
        ("yes", 1),
        ("no", 0),
        ("ask", 2),
        ("confirm", 3),
    ],
    own_names: true,
};
/// AddressFamily.
pub(crate) static ADDRESSFAMILY: States = States {
    words: &[("inet", 2), ("inet6", 10), ("any", 0)],
    own_names: true,
};
/// ControlMaster.
pub(crate) static CONTROLMASTER: States = States {
    words: &[
        ("true", 1),
        ("yes", 1),
        ("false", 0),
        ("no", 0),
        ("auto", 2),
        ("ask", 3),
        ("autoask", 4),
    ],
    own_names: true,
};
/// Tunnel.
pub(crate) static TUNNEL: States = States {
    words: &[
        ("ethernet", 2),
        ("point-to-point", 1),
        ("true", 1),
        ("yes", 1),
        ("false", 0),
        ("no", 0),
    ],
    own_names: true,
};
/// RequestTTY.
pub(crate) static REQUESTTTY: States = States {
    words: &[
        ("true", 1),
        ("yes", 1),
        ("false", 0),
        ("no", 0),
        ("force", 2),
        ("auto", 3),
    ],
    own_names: true,
};
/// SessionType.
pub(crate) static SESSIONTYPE: States = States {
    words: &[("none", 0), ("subsystem", 1), ("default", 2)],
    own_names: true,
};
/// CanonicalizeHostname.
pub(crate) static CANONICALIZE: States = States {
    words: &[
        ("true", 1),
        ("false", 0),
        ("yes", 1),
        ("no", 0),
        ("always", 2),
    ],
    own_names: true,
};
/// WarnWeakCrypto (`no-pq-kex` is no).
pub(crate) static WARNWEAKCRYPTO: States = States {
    words: &[
        ("true", 1),
        ("false", 0),
        ("yes", 1),
        ("no", 0),
        ("no-pq-kex", 0),
    ],
    own_names: false,
};
/// PubkeyAuthentication.
pub(crate) static PUBKEY: States = States {
    words: &[
        ("true", 3),
        ("false", 0),
        ("yes", 3),
        ("no", 0),
        ("unbound", 1),
        ("host-bound", 2),
    ],
    own_names: true,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_read_and_print_like_ssh() {
        assert_eq!(FLAG.value("TRUE").map(|v| FLAG.print(v)), Some("yes"));
        assert_eq!(
            YESNOASK.value("yes").map(|v| YESNOASK.print(v)),
            Some("true")
        );
        assert_eq!(STRICT.value("off").map(|v| STRICT.print(v)), Some("false"));
        assert_eq!(
            STRICT.value("accept-new").map(|v| STRICT.print(v)),
            Some("accept-new")
        );
        assert_eq!(COMPRESSION.value("true"), None);
        assert_eq!(PUBKEY.print(7), "UNKNOWN");
    }
}
