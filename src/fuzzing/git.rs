//! The git side: URLs, `git config -z` output, core.sshCommand words, the
//! hook's stdin and pre-commit's variables.

use std::path::Path;

use super::fields;
use crate::git::{self, GitConfig, IpFamily, RemoteUrl, SshTarget};
use crate::plan;
use crate::platform::Platform;
use crate::policy::{self, Settings};

/// The argv git runs for `target` must never turn a URL's host or port
/// into an ssh option.
fn no_option_from_the_url(target: &SshTarget, cfg: &GitConfig, platform: Platform) {
    let env = |_: &str| None;
    let Ok(inv) = git::ssh_invocation_on(
        target,
        cfg,
        &env,
        "git-receive-pack",
        IpFamily::Any,
        platform,
    ) else {
        return;
    };
    assert!(!inv.host_arg.starts_with('-'), "host {:?}", inv.host_arg);
    let argv = inv.push_argv_on(platform);
    // A port is `-p`'s argument, never an option of its own; git lets a
    // number strtol reads through (`ssh://h:-0/x` runs `ssh -p -0 h`, which
    // ssh refuses as a bad port), and so does pushguard.
    for pair in argv.windows(2) {
        if pair[0] == "-p" || pair[0] == "-P" {
            let number = pair[1]
                .parse::<i64>()
                .is_ok_and(|n| (0..65536).contains(&n));
            assert!(
                !pair[1].starts_with('-') || number,
                "port {:?} in {argv:?}",
                pair[1]
            );
        }
    }
    let _ = inv.probe_argv_on(platform);
}

/// A remote URL, as git on Unix and on Windows splits it.
pub fn git_url(data: &[u8]) {
    let Ok(url) = std::str::from_utf8(data) else {
        return;
    };
    for platform in [Platform::Unix, Platform::Windows] {
        for ntfs in [true, false] {
            match git::parse_url_on(url, platform, ntfs) {
                Ok(RemoteUrl::Ssh(t)) => {
                    no_option_from_the_url(&t, &GitConfig::default(), platform);
                }
                Ok(RemoteUrl::Other(kind)) => assert!(!kind.contains('\0')),
                Err(e) => {
                    let _ = e.to_string();
                }
            }
        }
    }
}

/// `git config -z --list` output: the settings, per-URL candidates, remotes
/// and the ssh command git would run with that config.
pub fn git_config_z(data: &[u8]) {
    let Ok(cfg) = GitConfig::from_z(data) else {
        return;
    };
    if let Ok(s) = Settings::from_config(&cfg, &|_| None) {
        assert!(s.idle_timeout > 0, "an idle timeout of 0 was accepted");
    }
    for c in policy::url_candidates(&cfg) {
        assert!(c.index < cfg.entries().len());
    }
    for name in git::remote_names(&cfg) {
        let _ = git::push_urls(&cfg, name);
        let _ = git::receive_pack(&cfg, name);
        let _ = git::is_remote_name(&cfg, name);
    }
    let _ = git::remote_for_url(&cfg, "ssh://git@h/p.git");
    let target = SshTarget {
        user: Some("git".into()),
        host: "h".into(),
        port: Some("22".into()),
        path: "p.git".into(),
    };
    no_option_from_the_url(&target, &cfg, Platform::Unix);
}

/// A core.sshCommand (or `GIT_SSH_COMMAND`) value: its words, and the
/// invocation git builds from it.
pub fn git_ssh_command(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let env = |k: &str| match k {
        "HOME" => Some("/fuzz".to_string()),
        "GIT_SSH_COMMAND" => Some(text.to_string()),
        _ => None,
    };
    if let Ok(words) = git::shell::split_words(&text, &env) {
        assert!(
            words
                .iter()
                .all(|w| !w.contains('\0') || text.contains('\0'))
        );
    }
    let target = SshTarget {
        user: None,
        host: "h".into(),
        port: Some("2222".into()),
        path: "p".into(),
    };
    let cfg = GitConfig::default();
    if let Ok(inv) = git::ssh_invocation_on(
        &target,
        &cfg,
        &env,
        "git-receive-pack",
        IpFamily::Any,
        Platform::Unix,
    ) {
        let _ = (inv.push_argv(), inv.probe_argv());
    }
}

/// The hook's stdin: parsed updates are well formed; an error names a line
/// that exists.
pub fn hook_stdin(data: &[u8]) {
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    match plan::read_updates(data) {
        Ok(updates) => {
            assert!(updates.len() <= lines);
            for u in updates {
                assert!(!u.local_ref.is_empty() && !u.remote_ref.is_empty());
                for oid in [&u.local_oid, &u.remote_oid].into_iter().flatten() {
                    assert!(plan::is_oid(oid), "{oid:?}");
                    assert!(oid.bytes().any(|b| b != b'0'), "the null oid kept");
                }
            }
        }
        Err(plan::PlanError::Stdin(e)) => {
            assert!((1..=lines).contains(&e.line), "line {} of {lines}", e.line);
        }
        Err(e) => panic!("not a stdin error: {e}"),
    }
}

/// The `PRE_COMMIT_*` variables (six NUL-separated values; an empty one
/// is unset).
pub fn plan_pre_commit(data: &[u8]) {
    let values = fields(data, plan::PRE_COMMIT_VARS.len());
    let env = |k: &str| {
        let i = plan::PRE_COMMIT_VARS.iter().position(|v| *v == k)?;
        let v = values[i];
        (!v.is_empty()).then(|| String::from_utf8_lossy(v).into_owned())
    };
    let nowhere = Path::new("/nonexistent/pushguard-fuzz");
    if let Ok(Some(p)) = plan::from_pre_commit(nowhere, &env) {
        assert_eq!(p.updates.len(), 1);
        let u = &p.updates[0];
        assert!(u.local_oid.as_deref().is_some_and(plan::is_oid));
        assert!(u.remote_oid.as_deref().is_none_or(plan::is_oid));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_targets_take_real_inputs() {
        git_url(b"ssh://git@bitbucket.example.com:7999/proj/repo.git");
        git_url(b"git@github.com:o/r.git");
        git_config_z(b"core.sshcommand\nssh -o ServerAliveInterval=30\0pushguard.strict\0");
        git_ssh_command(b"ssh -i '~/my key' -o \"A=b c\"");
        let a = "1".repeat(40);
        hook_stdin(format!("refs/heads/main {a} refs/heads/main {}\n", "0".repeat(40)).as_bytes());
        hook_stdin(b"garbage\n");
        plan_pre_commit(
            format!("\0{a}\0origin\0ssh://h/p\0refs/heads/main\0refs/heads/main").as_bytes(),
        );
    }
}
