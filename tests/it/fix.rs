//! `pushguard fix` on real files, each edit checked afterwards with the real
//! `ssh -G` run as git runs it (`-p 7999 git@bitbucket.example.com`), and
//! every other host named checked to resolve exactly as before.
//!
//! The configs are `-F` files in the sandbox (given in `core.sshCommand` or
//! `GIT_SSH_COMMAND`): ssh finds the user file from the passwd entry, which
//! a test cannot move, and a test must never edit the real one. The
//! expectations hold for OpenSSH 9.2p1 Debian-2+deb12u6 and deb12u10 (the
//! keys involved behave the same in every build in the matrix).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::Value;

use crate::support::fix::{Fx, HOST, keepalive, read};

#[test]
fn plain_file_gets_a_block_at_the_end() {
    let Some(f) = Fx::new() else { return };
    let cfg = f.s.write("ssh_config", "Host other\n    User o\n");
    // The command from the environment: the ssh config is still the target.
    let dry =
        f.s.pushguard(&["fix", "--format", "json"])
            .env("GIT_SSH_COMMAND", format!("ssh -F {}", cfg.display()))
            .ok()
            .json();
    assert_eq!(dry["status"], "planned");
    assert_eq!(dry["target"], "ssh-config");
    assert_eq!(dry["file"], cfg.display().to_string());
    assert_eq!(dry["apply"], "pushguard fix origin --apply");
    assert_eq!(dry["before"]["serveraliveinterval_origin"], "default");
    assert!(
        dry["diff"]
            .as_str()
            .unwrap()
            .contains("+Host bitbucket.example.com\n"),
        "{dry:#}"
    );
    assert_eq!(
        read(&cfg),
        "Host other\n    User o\n",
        "a plan writes nothing"
    );
    f.config("ssh_config", "Host other\n    User o\n");
    f.applied(&cfg, &["other", "unnamed.example.org"]);
    assert_eq!(
        read(&cfg),
        "Host other\n    User o\n\nHost bitbucket.example.com\n    ServerAliveInterval 30\n    ServerAliveCountMax 4\n"
    );
    let backup = f.s.path("ssh_config.pushguard-backup");
    assert_eq!(read(&backup), "Host other\n    User o\n");
}

#[test]
fn host_star_with_interval_0_above_the_hosts_block() {
    let Some(f) = Fx::new() else { return };
    let text = "Host other\n  User o\n\nHost *\n  ServerAliveInterval 0\n\nHost bitbucket.example.com\n  User git\n  ServerAliveInterval 30\n";
    let cfg = f.config("ssh_config", text);
    let v = f.applied(&cfg, &["other", "unnamed.example.org"]);
    assert!(
        v["why"][0]
            .as_str()
            .unwrap()
            .contains("in the `Host *` block at"),
        "{v:#}"
    );
    assert_eq!(
        read(&cfg),
        "Host other\n  User o\n\nHost bitbucket.example.com\n  ServerAliveInterval 30\n  ServerAliveCountMax 4\n\nHost *\n  ServerAliveInterval 0\n\nHost bitbucket.example.com\n  User git\n  ServerAliveInterval 30\n"
    );
}

#[test]
fn global_options_before_the_first_host() {
    let Some(f) = Fx::new() else { return };
    let text = "# defaults\nServerAliveInterval 0\nUser me\n\nHost other\n  Port 2222\n";
    let cfg = f.config("ssh_config", text);
    // A host named nowhere still gets the global options.
    f.applied(&cfg, &["other", "unnamed.example.org"]);
    assert_eq!(
        read(&cfg),
        "# defaults\nHost bitbucket.example.com\n  ServerAliveInterval 30\n  ServerAliveCountMax 4\n\nHost *\nServerAliveInterval 0\nUser me\n\nHost other\n  Port 2222\n"
    );
    let unnamed = f.ssh_g(&cfg, &["unnamed.example.org"]);
    assert!(unnamed.lines().any(|l| l == "user me"), "{unnamed}");
}

#[test]
fn winning_line_inside_an_included_file() {
    let Some(f) = Fx::new() else { return };
    let inc = f.s.write(
        "conf.d/work.conf",
        "Host gitlab.example.com\n  User g\nHost *.example.com\n  ServerAliveInterval 0\n",
    );
    let top = format!(
        "Include {}/conf.d/*.conf\nHost other\n  User o\n",
        f.s.root().display()
    );
    let cfg = f.config("ssh_config", &top);
    let v = f.applied(&cfg, &["other", "gitlab.example.com", "git.example.com"]);
    assert_eq!(v["file"], inc.display().to_string());
    assert_eq!(
        read(&inc),
        "Host gitlab.example.com\n  User g\nHost bitbucket.example.com\n  ServerAliveInterval 30\n  ServerAliveCountMax 4\n\nHost *.example.com\n  ServerAliveInterval 0\n"
    );
    assert_eq!(read(&cfg), top, "the including file is untouched");
}

#[test]
fn global_lines_of_an_included_file_climb_to_its_include() {
    let Some(f) = Fx::new() else { return };
    let inc = f.s.write("keepalive.conf", "ServerAliveInterval 0\n");
    let top = format!(
        "Host other\n  User o\nHost *\n  Include {}\n",
        inc.display()
    );
    let cfg = f.config("ssh_config", &top);
    let v = f.applied(&cfg, &["other", "unnamed.example.org"]);
    assert_eq!(v["file"], cfg.display().to_string());
    assert_eq!(
        read(&inc),
        "ServerAliveInterval 0\n",
        "shared by every host: untouched"
    );
    assert!(
        read(&cfg).contains("  User o\nHost bitbucket.example.com\n"),
        "{}",
        read(&cfg)
    );
}

#[test]
fn a_match_block_that_does_not_apply_is_left_alone() {
    let Some(f) = Fx::new() else { return };
    let text = "Match host nothing.example.org\n  ServerAliveInterval 0\nHost other\n  User o\n";
    let cfg = f.config("ssh_config", text);
    f.applied(&cfg, &["other", "nothing.example.org"]);
    assert_eq!(
        read(&cfg),
        format!(
            "{text}\nHost bitbucket.example.com\n  ServerAliveInterval 30\n  ServerAliveCountMax 4\n"
        )
    );
}

#[test]
fn a_matching_match_exec_is_the_true_winner() {
    let Some(f) = Fx::new() else { return };
    // ssh -G runs the exec and takes 0 from line 4; treating the exec as
    // unknown would blame the later line 6 (or ssh's default).
    let text = "Host other\n  User o\nMatch exec \"true\"\n  ServerAliveInterval 0\nHost bitbucket.example.com\n  ServerAliveInterval 0\n";
    let cfg = f.config("ssh_config", text);
    let check =
        f.s.pushguard(&["check", "--ssh", "--format", "json"])
            .ok()
            .json();
    assert_eq!(
        check["ssh"]["serveraliveinterval_origin"],
        serde_json::json!({"file": cfg.display().to_string(), "line": 4}),
        "{check:#}"
    );
    let v = f.applied(&cfg, &["other"]);
    assert_eq!(
        v["before"]["serveraliveinterval_origin"],
        serde_json::json!({"file": cfg.display().to_string(), "line": 4})
    );
    assert!(read(&cfg).starts_with(
        "Host other\n  User o\nHost bitbucket.example.com\n  ServerAliveInterval 30\n"
    ));
}

#[test]
fn crlf_endings_are_kept() {
    let Some(f) = Fx::new() else { return };
    let text = "Host other\r\n\tUser o\r\nHost *\r\n\tServerAliveInterval 0\r\n";
    let cfg = f.config("ssh_config", text);
    f.applied(&cfg, &["other"]);
    assert_eq!(
        read(&cfg),
        "Host other\r\n\tUser o\r\nHost bitbucket.example.com\r\n\tServerAliveInterval 30\r\n\tServerAliveCountMax 4\r\n\r\nHost *\r\n\tServerAliveInterval 0\r\n"
    );
}

#[test]
fn a_symlinked_config_is_edited_at_its_target() {
    let Some(f) = Fx::new() else { return };
    let real =
        f.s.write("dotfiles/ssh_config", "Host *\n  ServerAliveInterval 0\n");
    fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
    let link = f.s.path("ssh_config");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    f.git_ssh_command(&format!("ssh -F {}", link.display()));
    f.applied(&link, &["unnamed.example.org"]);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(read(&real).starts_with("Host bitbucket.example.com\n"));
    assert_eq!(
        fs::metadata(&real).unwrap().permissions().mode() & 0o7777,
        0o640
    );
    assert!(f.s.path("dotfiles/ssh_config.pushguard-backup").exists());
}

#[test]
fn a_read_only_config_is_refused_and_unchanged() {
    let Some(f) = Fx::new() else { return };
    let text = "Host *\n  ServerAliveInterval 0\n";
    let cfg = f.config("ssh_config", text);
    fs::set_permissions(&cfg, fs::Permissions::from_mode(0o444)).unwrap();
    let dry = f.fix_json(&[]);
    assert!(dry["notes"].to_string().contains("is read-only"), "{dry:#}");
    let out = f.fix(&["--apply"]);
    assert_eq!(out.code, Some(3), "{}", out.text());
    assert!(
        out.stderr
            .contains(&format!("{} is read-only (mode 0444)", cfg.display())),
        "{}",
        out.stderr
    );
    assert_eq!(read(&cfg), text);
    assert!(!f.s.path("ssh_config.pushguard-backup").exists());
}

#[test]
fn relative_ssh_f_in_core_sshcommand_is_read_from_the_top() {
    let Some(f) = Fx::new() else { return };
    let text = "Host other\n  ServerAliveInterval 15\nHost *\n  ServerAliveInterval 0\n";
    let cfg = f.s.write("conf/ssh_config", text);
    f.git_ssh_command("ssh -F conf/ssh_config");
    assert_eq!(keepalive(&f.ssh_g(&cfg, &["other"])), (15, 3));
    fs::create_dir_all(f.s.path("sub/dir")).unwrap();
    let v =
        f.s.pushguard(&["fix", "--apply", "--format", "json"])
            .dir("sub/dir")
            .ok()
            .json();
    assert_eq!(v["status"], "applied", "{v:#}");
    assert_eq!(v["file"], cfg.display().to_string());
    assert_eq!(f.keepalive(&cfg), (30, 4));
    f.unchanged(&v, &cfg, &[("other", (15, 3))]);
}

#[test]
fn interval_0_on_core_sshcommand_is_replaced_not_outvoted() {
    let Some(f) = Fx::new() else { return };
    let text = "Host other\n  User o\n  ServerAliveInterval 15\n";
    let cfg = f.s.write("ssh_config", text);
    let old = format!("ssh -F {} -o ServerAliveInterval=0", cfg.display());
    f.git_ssh_command(&old);
    f.upstream("other");
    let v = f.fix_json(&["--apply"]);
    assert_eq!(v["status"], "applied", "{v:#}");
    assert_eq!(v["target"], "git-config");
    let new = format!(
        "ssh -F {} -o ServerAliveInterval=30 -o ServerAliveCountMax=4",
        cfg.display()
    );
    assert_eq!(v["git_config"]["new"], new);
    assert_eq!(v["git_config"]["old"], old);
    assert_eq!(f.s.git(&["config", "core.sshCommand"]).stdout(), new);
    assert_eq!(read(&cfg), text, "no ssh config line can beat -o");
    f.served_too(&v, &cfg, "other", (15, 3));
    assert!(f.s.path(".git/config.pushguard-backup").exists());
    let out =
        f.s.cmd("sh")
            .args(["-c", &format!("{new} -G -p 7999 git@{HOST}")])
            .ok();
    assert_eq!(keepalive(&out.stdout), (30, 4));
}

#[test]
fn git_config_target_writes_where_core_sshcommand_is_set() {
    let Some(f) = Fx::new() else { return };
    let text = "Host other\n  ServerAliveInterval 20\n  ServerAliveCountMax 2\nHost *\n  ServerAliveInterval 0\n";
    let cfg = f.s.write("ssh_config", text);
    let old = format!("ssh -F {}", cfg.display());
    f.s.git(&["config", "--global", "core.sshCommand", &old])
        .ok();
    f.upstream("other");
    let v = f.fix_json(&["--target", "git-config", "--global", "--apply"]);
    assert_eq!(v["status"], "applied", "{v:#}");
    assert_eq!(v["git_config"]["scope"], "global");
    assert_eq!(
        v["git_config"]["file"],
        f.s.path(".gitconfig").display().to_string()
    );
    let new = format!("{old} -o ServerAliveInterval=30 -o ServerAliveCountMax=4");
    let global = f.s.git(&["config", "--global", "core.sshCommand"]).stdout();
    assert_eq!(global, new);
    assert_eq!(read(&cfg), text);
    f.served_too(&v, &cfg, "other", (20, 2));
    assert!(f.s.path(".gitconfig.pushguard-backup").exists());
    // A repository value wins over --global: refused, nothing written.
    f.s.git(&["config", "core.sshCommand", &old]).ok();
    let out = f.fix(&["--target", "git-config", "--global", "--apply"]);
    assert_eq!(out.code, Some(3), "{}", out.text());
    assert!(
        out.stdout.contains("which wins over --global"),
        "{}",
        out.stdout
    );
    assert_eq!(
        f.s.git(&["config", "--local", "core.sshCommand"]).stdout(),
        old
    );
}

#[test]
fn interval_0_in_git_ssh_command_names_the_variable() {
    let Some(f) = Fx::new() else { return };
    let cfg = f.s.write("ssh_config", "");
    let cmd = format!("ssh -F {} -oServerAliveInterval=0", cfg.display());
    let out =
        f.s.pushguard(&["fix", "--apply"])
            .env("GIT_SSH_COMMAND", &cmd)
            .run();
    assert_eq!(out.code, Some(3), "{}", out.text());
    let want = format!(
        "export GIT_SSH_COMMAND='ssh -F {} -oServerAliveInterval=30 -o ServerAliveCountMax=4'",
        cfg.display()
    );
    assert!(out.stdout.contains(&want), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("status     manual: GIT_SSH_COMMAND is set"),
        "{}",
        out.stdout
    );
}

#[test]
fn too_slow_interval_in_the_hosts_own_block_changes_in_place() {
    let Some(f) = Fx::new() else { return };
    let text = "Host bitbucket.example.com\n  ServerAliveInterval 900 # 15 minutes\n  User git\nHost other\n  User o\n";
    let cfg = f.config("ssh_config", text);
    let v = f.applied(&cfg, &["other"]);
    assert_eq!(v["before"]["serveraliveinterval"], 900);
    assert_eq!(
        read(&cfg),
        "Host bitbucket.example.com\n  ServerAliveInterval 30 # 15 minutes\n  ServerAliveCountMax 4\n  User git\nHost other\n  User o\n"
    );
    // A shorter idle timeout asks for a shorter interval.
    f.s.git(&["config", "pushguard.idleTimeout", "20"]).ok();
    let v = f.fix_json(&[]);
    assert_eq!(v["interval"], 10);
    assert!(
        v["diff"]
            .as_str()
            .unwrap()
            .contains("+  ServerAliveInterval 10 # 15 minutes"),
        "{v:#}"
    );
}

#[test]
fn a_second_run_is_already_effective_and_changes_nothing() {
    let Some(f) = Fx::new() else { return };
    let text = "Host other\n  ServerAliveInterval 15\n  ServerAliveCountMax 2\nHost *\n  ServerAliveInterval 0\n";
    let cfg = f.config("ssh_config", text);
    let v = f.applied(&cfg, &["other"]);
    f.unchanged(&v, &cfg, &[("other", (15, 2))]);
    let after = read(&cfg);
    let v = f.fix_json(&["--apply"]);
    assert_eq!(v["status"], "already effective", "{v:#}");
    assert_eq!(v["change"], Value::Null);
    assert_eq!(read(&cfg), after);
    assert!(!f.s.path("ssh_config.pushguard-backup.1").exists());
}

#[test]
fn a_failure_between_write_and_rename_leaves_the_config_intact() {
    let Some(f) = Fx::new() else { return };
    let text = "Host *\n  ServerAliveInterval 0\n";
    let cfg = f.config("ssh_config", text);
    let fault = |_: &Path| Err(std::io::Error::other("simulated crash before rename"));
    let writer = pushguard::fix::Writer {
        before_rename: Some(&fault),
    };
    let req = pushguard::fix::Request {
        subject: pushguard::fix::Subject::Remote(Some("origin".into())),
        target: None,
        global: false,
        apply: true,
    };
    let env = pushguard::check::Env::from_pairs([("HOME", f.s.root().to_str().unwrap())]);
    let e = pushguard::fix::run(f.s.root(), &env, &req, &writer).unwrap_err();
    assert!(
        e.to_string().contains("simulated crash before rename"),
        "{e}"
    );
    assert_eq!(read(&cfg), text);
    let mut names: Vec<String> = fs::read_dir(f.s.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [".git", "ssh_config"],
        "no temporary file, no backup"
    );
}

#[test]
fn a_failed_proof_puts_the_original_bytes_back() {
    let Some(f) = Fx::new() else { return };
    // `rm` succeeds once: `other` resolves differently on every run after
    // the first, which the proof takes for a change the edit made.
    let flag = f.s.write("flag", "");
    let text = format!(
        "Host other\n  HostName other.example.org\nMatch host other.example.org exec \"rm {}\"\n  Port 2222\nHost *\n  ServerAliveInterval 0\n",
        flag.display()
    );
    let cfg = f.config("ssh_config", &text);
    let out = f.s.pushguard(&["fix", "--apply", "--format", "json"]).run();
    assert_eq!(out.code, Some(3), "{}", out.text());
    let v = out.json();
    assert_eq!(v["status"], "restored", "{v:#}");
    let failure = v["proof"]["failure"].as_str().unwrap();
    assert!(
        failure.starts_with("the edit also changes other: ssh -G now prints port 22"),
        "{failure}"
    );
    assert_eq!(read(&cfg), text, "the original bytes are back");
    assert_eq!(v["backup"], Value::Null);
    assert!(!f.s.path("ssh_config.pushguard-backup").exists());
}

#[test]
fn a_config_ssh_rejects_is_never_edited() {
    let Some(f) = Fx::new() else { return };
    let text = "Host *\n  ServerAliveInterval 0\n  NoSuchOption yes\n";
    let cfg = f.config("ssh_config", text);
    let out = f.fix(&["--apply"]);
    assert_eq!(out.code, Some(3), "{}", out.text());
    assert!(
        out.stderr.contains("ssh rejects its configuration"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!(
            "{}: line 3: Bad configuration option: nosuchoption",
            cfg.display()
        )),
        "{}",
        out.stderr
    );
    assert_eq!(read(&cfg), text);
}

#[test]
fn a_wrapper_is_fixed_on_its_command_line_and_proven() {
    let Some(f) = Fx::new() else { return };
    let text = "Host other\n  ServerAliveInterval 15\nHost *\n  ServerAliveInterval 0\n";
    let cfg = f.s.write("ssh_config", text);
    f.upstream("other");
    let wrap = f.s.write_exec(
        "bin/wrap",
        &format!("#!/bin/sh\nexec ssh -F {} \"$@\"\n", cfg.display()),
        0o755,
    );
    let git_ssh = wrap.display().to_string();
    let check =
        f.s.pushguard(&["check", "--ssh"])
            .env("GIT_SSH", &git_ssh)
            .run();
    assert!(
        check.stdout.contains(
            "ServerAliveInterval 0 (off); pushguard cannot tell where this value comes from"
        ),
        "{}",
        check.stdout
    );
    assert!(!check.stdout.contains("ssh's default"), "{}", check.stdout);
    let v =
        f.s.pushguard(&["fix", "--apply", "--format", "json"])
            .env("GIT_SSH", &git_ssh)
            .ok()
            .json();
    assert_eq!(v["status"], "applied", "{v:#}");
    assert_eq!(v["target"], "git-config");
    assert_eq!(v["before"]["serveraliveinterval_origin"], Value::Null);
    let new = format!("{git_ssh} -o ServerAliveInterval=30 -o ServerAliveCountMax=4");
    assert_eq!(f.s.git(&["config", "core.sshCommand"]).stdout(), new);
    assert_eq!(read(&cfg), text);
    f.served_too(&v, &cfg, "other", (15, 3));
}

#[test]
fn a_host_pattern_reports_the_hosts_it_includes() {
    let Some(f) = Fx::new() else { return };
    let text = "Host *\n  ServerAliveInterval 0\nHost gitlab.example.com\n  User g\nHost other\n  User o\n";
    let cfg = f.config("ssh_config", text);
    let before = f.dumps(&cfg, &["other"]);
    let v = f.fix_json(&["--host", "git*", "--apply"]);
    assert_eq!(v["status"], "applied", "{v:#}");
    assert_eq!(
        v["proof"]["also_changed"][0]["host"], "gitlab.example.com",
        "{v:#}"
    );
    assert_eq!(
        v["proof"]["unchanged"],
        serde_json::json!(["other", HOST]),
        "the remote's host too"
    );
    assert_eq!(f.dumps(&cfg, &["other"]), before);
    assert_eq!(keepalive(&f.ssh_g(&cfg, &["gitlab.example.com"])), (30, 4));
    assert!(read(&cfg).starts_with("Host git*\n"));
}

#[test]
fn the_hook_message_names_the_fix_and_its_one_off_is_effective() {
    let Some(f) = Fx::new() else { return };
    let cfg = f.s.write("ssh_config", "");
    let cmd = format!("ssh -F {} -o ServerAliveInterval=0", cfg.display());
    f.git_ssh_command(&cmd);
    f.s.git(&["config", "pushguard.warnObjects", "1"]).ok();
    let v =
        f.s.pushguard(&["check", "--ssh", "--format", "json"])
            .ok()
            .json();
    assert_eq!(v["verdict"], "warn", "{v:#}");
    assert_eq!(v["fix"]["command"], "pushguard fix origin");
    let one_off = v["fix"]["one_off"].as_str().unwrap();
    let value = one_off
        .strip_prefix("git -c core.sshCommand='")
        .and_then(|r| r.strip_suffix("' push"))
        .unwrap();
    assert!(!value.contains("ServerAliveInterval=0"), "{value}");
    let out =
        f.s.cmd("sh")
            .args(["-c", &format!("{value} -G -p 7999 git@{HOST}")])
            .ok();
    assert_eq!(keepalive(&out.stdout), (30, 4));
    let text = f.s.pushguard(&["check", "--ssh"]).ok().stdout;
    assert!(text.contains("Fix: pushguard fix origin "), "{text}");
}

#[test]
fn a_putty_session_file_gets_its_keepalive() {
    let Some(f) = Fx::new() else { return };
    let sessions = f.s.path("putty/sessions");
    let session = f.s.write(
        "putty/sessions/work",
        "HostName=bitbucket.example.com\nPingIntervalSecs=0\n",
    );
    f.git_ssh_command("plink -load work");
    let run = |args: &[&str]| {
        f.s.pushguard(&["fix", "--format", "json"])
            .args(args)
            .env("PUTTYSESSIONS", &sessions)
            .ok()
            .json()
    };
    let v = run(&[]);
    assert_eq!(v["target"], "putty-session", "{v:#}");
    assert_eq!(v["file"], session.display().to_string());
    let v = run(&["--apply"]);
    assert_eq!(v["status"], "applied", "{v:#}");
    assert_eq!(
        read(&session),
        "HostName=bitbucket.example.com\nPingIntervalSecs=30\n"
    );
    assert!(f.s.path("putty/sessions/work.pushguard-backup").exists());
    assert_eq!(run(&[])["status"], "already effective");
}

#[test]
fn a_url_is_fixed_end_to_end() {
    let Some(f) = Fx::new() else { return };
    // A URL no remote has, on another host and port than `origin`'s.
    let url = "ssh://git@gitlab.example.com:2222/team/tool.git";
    let text = "Host other\n  ServerAliveInterval 15\nHost *\n  ServerAliveInterval 0\n";
    let cfg = f.config("ssh_config", text);
    let dry = f.fix_json(&["--url", url]);
    assert_eq!(dry["status"], "planned", "{dry:#}");
    assert_eq!(dry["subject"], format!("--url {url}"));
    assert_eq!(
        (&dry["remote"], &dry["url"]),
        (&Value::Null, &Value::from(url))
    );
    assert_eq!(dry["host"], "gitlab.example.com");
    assert_eq!(dry["target"], "ssh-config");
    assert_eq!(dry["file"], cfg.display().to_string());
    assert_eq!(dry["apply"], format!("pushguard fix --url {url} --apply"));
    assert_eq!(
        dry["before"]["serveraliveinterval_origin"],
        serde_json::json!({"file": cfg.display().to_string(), "line": 4}),
        "{dry:#}"
    );
    assert_eq!(read(&cfg), text, "a plan writes nothing");
    let v = f.fix_json(&["--url", url, "--apply"]);
    assert_eq!(v["status"], "applied", "{v:#}");
    assert_eq!(v["proof"]["ok"], true, "{v:#}");
    assert_eq!(
        read(&cfg),
        "Host other\n  ServerAliveInterval 15\nHost gitlab.example.com\n  ServerAliveInterval 30\n  ServerAliveCountMax 4\n\nHost *\n  ServerAliveInterval 0\n"
    );
    // The real ssh -G, as git runs it for that URL.
    let dump = f.ssh_g(&cfg, &["-p", "2222", "git@gitlab.example.com"]);
    assert_eq!(keepalive(&dump), (30, 4));
    // The config's other host and origin's host keep their keepalive.
    f.unchanged(&v, &cfg, &[("other", (15, 3)), (HOST, (0, 3))]);
    assert_eq!(f.keepalive(&cfg), (0, 3));
    assert!(f.s.path("ssh_config.pushguard-backup").exists());
    let again = f.fix_json(&["--url", url]);
    assert_eq!(again["status"], "already effective", "{again:#}");
}

#[test]
fn a_forced_ssh_config_target_is_kept_where_git_config_would_be_chosen() {
    let Some(f) = Fx::new() else { return };
    let text = "Host *\n  ServerAliveInterval 0\n";
    // The value that wins is on the command line: automatically, git config.
    let cfg = f.s.write("ssh_config", text);
    let cmd = format!("ssh -F {} -o ServerAliveInterval=0", cfg.display());
    f.git_ssh_command(&cmd);
    assert_eq!(f.fix_json(&[])["target"], "git-config");
    let v = f.fix_json(&["--target", "ssh-config"]);
    assert_eq!(v["status"], "cannot fix", "{v:#}");
    assert_eq!(v["target"], Value::Null, "{v:#}");
    assert_eq!(
        v["outcome"],
        "no ssh config line can beat the ssh command line: use --target git-config"
    );
    let out = f.fix(&["--target", "ssh-config", "--apply"]);
    assert_eq!(out.code, Some(3), "{}", out.text());
    assert_eq!(read(&cfg), text);
    assert_eq!(f.s.git(&["config", "core.sshCommand"]).stdout(), cmd);
    // A wrapper pushguard cannot see into: automatically, git config too.
    f.s.git(&["config", "--unset", "core.sshCommand"]).ok();
    let wrap = f.s.write_exec(
        "bin/wrap",
        &format!("#!/bin/sh\nexec ssh -F {} \"$@\"\n", cfg.display()),
        0o755,
    );
    let run = |args: &[&str]| {
        f.s.pushguard(&["fix", "--format", "json"])
            .args(args)
            .env("GIT_SSH", &wrap)
            .run()
    };
    assert_eq!(run(&[]).json()["target"], "git-config");
    let out = run(&["--target", "ssh-config", "--apply"]);
    assert_eq!(out.code, Some(3), "{}", out.text());
    let v = out.json();
    assert_eq!(v["status"], "cannot fix", "{v:#}");
    assert!(
        v["outcome"]
            .as_str()
            .unwrap()
            .starts_with("pushguard cannot tell where the keepalive comes from"),
        "{v:#}"
    );
    assert_eq!(read(&cfg), text);
    let set = f.s.git(&["config", "core.sshCommand"]).run();
    assert!(!set.success(), "core.sshCommand was set: {}", set.stdout);
    assert!(!f.s.path("ssh_config.pushguard-backup").exists());
    assert!(!f.s.path(".git/config.pushguard-backup").exists());
}

#[test]
fn the_edited_config_keeps_its_owner_and_mode() {
    use std::io::Write;
    use std::os::unix::fs::MetadataExt;
    let Some(f) = Fx::new() else { return };
    let cfg = f.config("ssh_config", "Host *\n  ServerAliveInterval 0\n");
    if fs::metadata(&cfg).unwrap().uid() != 0 {
        // Only root can give a file another owner.
        let test = "fix::the_edited_config_keeps_its_owner_and_mode";
        assert!(
            std::env::var_os("CI").is_none(),
            "{test} needs root, and CI is set"
        );
        // Straight to stderr, as `require` does: the harness does not capture it.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPING {test}: not root, so it cannot chown"
        );
        return;
    }
    std::os::unix::fs::chown(&cfg, Some(1234), Some(1234)).unwrap();
    fs::set_permissions(&cfg, fs::Permissions::from_mode(0o640)).unwrap();
    f.applied(&cfg, &["unnamed.example.org"]);
    assert!(read(&cfg).starts_with("Host bitbucket.example.com\n"));
    let owner = |p: &Path| {
        let m = fs::metadata(p).unwrap();
        (m.uid(), m.gid(), m.mode() & 0o7777)
    };
    assert_eq!(owner(&cfg), (1234, 1234, 0o640));
    assert_eq!(
        owner(&f.s.path("ssh_config.pushguard-backup")),
        (1234, 1234, 0o640)
    );
}
