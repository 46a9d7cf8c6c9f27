//! What a push is about to do: the remote, the URL and the ref updates,
//! from the lines git hands the pre-push hook on stdin, or built by the dry
//! run from a remote and refspecs (asking git, as a push would).

use std::fmt;
use std::path::Path;

use crate::git::{self, GitConfig, GitError};
use crate::terminal::Shown;

/// One line of pre-push stdin: `<local ref> SP <local oid> SP <remote ref> SP <remote oid>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// The local ref as the user typed it (may be `HEAD~1`, an oid or `(delete)`).
    pub local_ref: String,
    /// The object the remote ref will point to; `None` for a deletion.
    pub local_oid: Option<String>,
    /// The ref on the remote that is updated.
    pub remote_ref: String,
    /// What the remote ref points to now; `None` when it does not exist yet.
    pub remote_oid: Option<String>,
}

impl RefUpdate {
    /// True when this update deletes the remote ref.
    pub fn is_delete(&self) -> bool {
        self.local_oid.is_none()
    }
}

/// The push the hook judges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushPlan {
    /// `$1`: the remote's name, or the URL as typed when there is no remote.
    pub remote: String,
    /// `$2`: the URL git will use, already rewritten by insteadOf/pushInsteadOf.
    pub url: String,
    /// The ref updates, in stdin order.
    pub updates: Vec<RefUpdate>,
    /// Where the updates came from.
    pub source: Source,
}

/// Who described the push to pushguard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Source {
    /// git itself (the hook's argv and stdin), or the dry run asking git.
    #[default]
    Git,
    /// pre-commit or prek: the `PRE_COMMIT_*` variables, which name only the
    /// first ref with something to push.
    PreCommit,
}

/// The variables pre-commit and prek give a pre-push hook instead of git's
/// argv and stdin (they consume git's stdin themselves).
pub const PRE_COMMIT_VARS: [&str; 6] = [
    "PRE_COMMIT_FROM_REF",
    "PRE_COMMIT_TO_REF",
    "PRE_COMMIT_REMOTE_NAME",
    "PRE_COMMIT_REMOTE_URL",
    "PRE_COMMIT_LOCAL_BRANCH",
    "PRE_COMMIT_REMOTE_BRANCH",
];

/// The push as pre-commit or prek describe it to a hook, or `None` when
/// the variables are not there. They name one ref: the first with something
/// to push. `PRE_COMMIT_FROM_REF`/`TO_REF` are absent when that ref's whole
/// history is new to the remote (pre-commit's "all files" case): then the
/// local branch is read from git and the remote side is unknown.
pub fn from_pre_commit(
    cwd: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<PushPlan>, PlanError> {
    let [from, to, remote, url, local_ref, remote_ref] =
        PRE_COMMIT_VARS.map(|k| env(k).filter(|v| !v.is_empty()));
    let (Some(remote), Some(url), Some(local_ref), Some(remote_ref)) =
        (remote, url, local_ref, remote_ref)
    else {
        return Ok(None);
    };
    let bad = |what: &str, v: &str| {
        PlanError::PreCommit(format!("{what} {} is not an object id", Shown(v)))
    };
    let local_oid = match to {
        Some(t) if is_oid(&t) => t.to_ascii_lowercase(),
        Some(t) => return Err(bad("PRE_COMMIT_TO_REF", &t)),
        None => git_out(
            cwd,
            &[
                "rev-parse",
                "--verify",
                "-q",
                &format!("{local_ref}^{{commit}}"),
            ],
        )
        .map_err(|_| PlanError::NoSuchRef(local_ref.clone()))?,
    };
    let remote_oid = match from {
        Some(f) if is_oid(&f) => Some(f.to_ascii_lowercase()),
        Some(f) => return Err(bad("PRE_COMMIT_FROM_REF", &f)),
        None => None,
    };
    Ok(Some(PushPlan {
        remote,
        url,
        updates: vec![RefUpdate {
            local_ref,
            local_oid: Some(local_oid),
            remote_ref,
            remote_oid,
        }],
        source: Source::PreCommit,
    }))
}

/// A line of pre-push stdin that is not in git's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StdinError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for StdinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pre-push input line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for StdinError {}

/// True for an object id: 40 (SHA-1) or 64 (SHA-256) lowercase hex digits.
pub fn is_oid(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn parse_oid(s: &str, line: usize, what: &str) -> Result<Option<String>, StdinError> {
    if !is_oid(s) {
        return Err(StdinError {
            line,
            reason: format!("{what} {} is not an object id", Shown(s)),
        });
    }
    if s.bytes().all(|b| b == b'0') {
        Ok(None)
    } else {
        Ok(Some(s.to_ascii_lowercase()))
    }
}

/// Parses pre-push stdin (all of it); empty input means nothing to push.
pub fn parse_updates(input: &str) -> Result<Vec<RefUpdate>, StdinError> {
    let mut out = Vec::new();
    for (i, raw) in input.split('\n').enumerate() {
        let line = i + 1;
        let text = raw.strip_suffix('\r').unwrap_or(raw);
        if text.is_empty() {
            continue;
        }
        let fields: Vec<&str> = text.split(' ').collect();
        let [local_ref, local_oid, remote_ref, remote_oid] = fields[..] else {
            return Err(StdinError {
                line,
                reason: format!("expected 4 space-separated fields, found {}", fields.len()),
            });
        };
        if local_ref.is_empty() || remote_ref.is_empty() {
            return Err(StdinError {
                line,
                reason: "empty ref name".to_string(),
            });
        }
        let local_oid = parse_oid(local_oid, line, "local object")?;
        let remote_oid = parse_oid(remote_oid, line, "remote object")?;
        out.push(RefUpdate {
            local_ref: local_ref.to_string(),
            local_oid,
            remote_ref: remote_ref.to_string(),
            remote_oid,
        });
    }
    Ok(out)
}

/// Why no push plan could be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The hook's stdin is not in git's format.
    #[error(transparent)]
    Stdin(#[from] StdinError),
    /// stdin could not be read.
    #[error("cannot read stdin: {0}")]
    ReadStdin(std::io::Error),
    /// The dry run's remote is neither a configured remote nor a URL.
    #[error("{} is neither a configured remote nor a URL", Shown(.0))]
    UnknownRemote(String),
    /// The dry run has no branch to push by default.
    #[error("HEAD is detached: name what to push (pushguard check <remote> <refspec>)")]
    DetachedHead,
    /// A refspec's source looks like an option.
    #[error("{} is not a ref", Shown(.0))]
    NotARef(String),
    /// A refspec's source is neither a ref nor a commit here.
    #[error("{} is not a ref or commit here", Shown(.0))]
    NoSuchRef(String),
    /// A refspec's source is a commit, so the destination must be named.
    #[error("{} is not a ref: give a destination ({}:<branch>)", Shown(.0), .0)]
    NoDestination(String),
    /// The `PRE_COMMIT_*` variables are not what pre-commit sets.
    #[error("{0}")]
    PreCommit(String),
    /// Run as a hook with neither git's arguments nor pre-commit's variables.
    #[error(
        "no remote and URL: git passes them to a pre-push hook, pre-commit and prek set PRE_COMMIT_REMOTE_NAME and PRE_COMMIT_REMOTE_URL"
    )]
    NoPush,
    /// The matching refspec `:` needs the server's branch list.
    #[error(
        "\":\" pushes the branches that both sides have, and the dry run cannot see the server's: name them (pushguard check <remote> <branch>...)"
    )]
    Matching,
    /// A pattern refspec that is not `refs/…*…:refs/…*…`.
    #[error(
        "{0:?}: a pattern refspec needs full ref names with one `*` on each side (refs/heads/*:refs/heads/*)"
    )]
    BadPattern(String),
    /// Push options git would refuse together.
    #[error("{0}")]
    Options(&'static str),
    /// Asking git failed.
    #[error(transparent)]
    Git(#[from] GitError),
}

/// Decodes the hook's stdin (all of it) into ref updates.
pub fn read_updates(bytes: &[u8]) -> Result<Vec<RefUpdate>, PlanError> {
    let text = std::str::from_utf8(bytes).map_err(|e| StdinError {
        line: bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1,
        reason: "not valid UTF-8".into(),
    })?;
    Ok(parse_updates(text)?)
}

/// The pushes the dry run judges, one per push URL git will use (a remote
/// may have several `pushurl`s; git runs the hook once for each): the
/// current branch (or `refspecs`, or the hook-format `stdin_updates`) to
/// `remote` (default: the branch's push remote).
pub fn for_check(
    cwd: &Path,
    cfg: &GitConfig,
    remote: Option<&str>,
    refspecs: &[String],
    stdin_updates: Option<Vec<RefUpdate>>,
) -> Result<Vec<PushPlan>, PlanError> {
    let branch = git_out(cwd, &["symbolic-ref", "-q", "--short", "HEAD"]).ok();
    let remote = match remote {
        Some(r) => r.to_string(),
        None => branch
            .as_deref()
            .and_then(|b| {
                cfg.get(&format!("branch.{b}.pushremote"))
                    .or_else(|| cfg.get("remote.pushdefault"))
                    .or_else(|| cfg.get(&format!("branch.{b}.remote")))
            })
            .unwrap_or("origin")
            .to_string(),
    };
    let is_remote = git::is_remote_name(cfg, &remote);
    let urls: Vec<String> = if is_remote {
        git_out(cwd, &["remote", "get-url", "--push", "--all", &remote])?
            .lines()
            .map(str::to_string)
            .collect()
    } else if remote.contains(':') || remote.contains('/') {
        vec![remote.clone()]
    } else {
        return Err(PlanError::UnknownRemote(remote));
    };
    let Some(url) = urls.first().cloned() else {
        return Err(PlanError::UnknownRemote(remote));
    };
    let updates = match stdin_updates {
        Some(u) => u,
        None => {
            let specs: Vec<String> = match (refspecs.is_empty(), &branch) {
                (false, _) => refspecs.to_vec(),
                (true, Some(b)) => vec![b.clone()],
                (true, None) => return Err(PlanError::DetachedHead),
            };
            // The remote whose tracking refs stand for what the server has.
            let tracking = match is_remote {
                true => Some(remote.clone()),
                false => git::remote_for_url(cfg, &url),
            };
            updates_for_refspecs(cwd, tracking.as_deref(), &specs)?
        }
    };
    Ok(urls
        .into_iter()
        .map(|url| PushPlan {
            remote: remote.clone(),
            url,
            updates: updates.clone(),
            source: Source::Git,
        })
        .collect())
}

/// The refspecs `git push --all` (`--branches`), `--tags` and `--mirror`
/// add to `refspecs`, refused together as git refuses them.
pub fn with_push_options(
    refspecs: &[String],
    all: bool,
    tags: bool,
    mirror: bool,
) -> Result<Vec<String>, PlanError> {
    let refused = match (all, tags, mirror, refspecs.is_empty()) {
        (true, _, true, _) => Some("--all and --mirror cannot be used together"),
        (true, true, _, _) => Some("--all and --tags cannot be used together"),
        (_, true, true, _) => Some("--mirror and --tags cannot be used together"),
        (true, _, _, false) => Some("--all cannot be combined with refspecs"),
        (_, _, true, false) => Some("--mirror cannot be combined with refspecs"),
        _ => None,
    };
    if let Some(why) = refused {
        return Err(PlanError::Options(why));
    }
    let mut specs = refspecs.to_vec();
    let implied = [
        (all, "refs/heads/*:refs/heads/*"),
        (tags, "refs/tags/*:refs/tags/*"),
        (mirror, "+refs/*:refs/*"),
    ];
    specs.extend(
        implied
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, s)| s.to_string()),
    );
    Ok(specs)
}

/// The updates `specs` ask for, in order: plain refspecs one each, patterns
/// one per matching local ref (minus the refs the server already has at
/// that value, which git leaves off the hook's stdin), minus the sources
/// that negative refspecs (`^refs/…`) exclude.
fn updates_for_refspecs(
    cwd: &Path,
    tracking: Option<&str>,
    specs: &[String],
) -> Result<Vec<RefUpdate>, PlanError> {
    let excluded: Vec<&str> = specs.iter().filter_map(|s| s.strip_prefix('^')).collect();
    let mut updates = Vec::new();
    for spec in specs.iter().filter(|s| !s.starts_with('^')) {
        match spec.strip_prefix('+').unwrap_or(spec) {
            ":" => return Err(PlanError::Matching),
            p if p.contains('*') => updates.extend(updates_for_pattern(cwd, tracking, p)?),
            _ => updates.push(update_for_refspec(cwd, tracking, spec)?),
        }
    }
    updates.retain(|u| !excluded.iter().any(|x| glob(x, &u.local_ref).is_some()));
    Ok(updates)
}

/// `name` against a pattern with at most one `*`: what the `*` stands for.
fn glob<'a>(pattern: &str, name: &'a str) -> Option<&'a str> {
    match pattern.split_once('*') {
        None => (pattern == name).then_some(""),
        Some((prefix, suffix)) => name.strip_prefix(prefix)?.strip_suffix(suffix),
    }
}

/// The updates of one pattern refspec (`refs/heads/*:refs/heads/*`): every
/// local ref its source matches (`git for-each-ref`).
fn updates_for_pattern(
    cwd: &Path,
    tracking: Option<&str>,
    spec: &str,
) -> Result<Vec<RefUpdate>, PlanError> {
    let (src, dst) = spec.split_once(':').unwrap_or((spec, spec));
    let one_star = |p: &str| p.starts_with("refs/") && p.matches('*').count() == 1;
    if !one_star(src) || !one_star(dst) {
        return Err(PlanError::BadPattern(spec.into()));
    }
    let dir = src.split('*').next().and_then(|p| p.rsplit_once('/'));
    let dir = dir.map_or("refs", |(d, _)| d);
    let listed = git_out(
        cwd,
        &["for-each-ref", "--format=%(objectname) %(refname)", dir],
    )?;
    let mut updates = Vec::new();
    for (oid, name) in listed.lines().filter_map(|l| l.split_once(' ')) {
        let Some(star) = glob(src, name) else {
            continue;
        };
        let remote_ref = dst.replacen('*', star, 1);
        let remote_oid = tracking_oid(cwd, tracking, &remote_ref);
        if remote_oid.as_deref() == Some(oid) {
            continue;
        }
        updates.push(RefUpdate {
            local_ref: name.to_string(),
            local_oid: Some(oid.to_string()),
            remote_ref,
            remote_oid,
        });
    }
    Ok(updates)
}

/// Best local knowledge of what the remote has at `remote_ref`: its
/// tracking ref (branches only).
fn tracking_oid(cwd: &Path, tracking: Option<&str>, remote_ref: &str) -> Option<String> {
    let branch = remote_ref.strip_prefix("refs/heads/")?;
    let tracking_ref = format!("refs/remotes/{}/{branch}", tracking?);
    git_out(cwd, &["rev-parse", "--verify", "-q", &tracking_ref]).ok()
}

/// The update one refspec asks for, as git would put it on the hook's stdin.
fn update_for_refspec(
    cwd: &Path,
    tracking: Option<&str>,
    spec: &str,
) -> Result<RefUpdate, PlanError> {
    let spec = spec.strip_prefix('+').unwrap_or(spec);
    let (src, dst) = match spec.split_once(':') {
        Some((s, d)) => (s, Some(d)),
        None => (spec, None),
    };
    if src.is_empty() {
        let dst = dst.unwrap_or_default();
        return Ok(RefUpdate {
            local_ref: "(delete)".into(),
            local_oid: None,
            remote_ref: full_ref(cwd, dst).unwrap_or_else(|| format!("refs/heads/{dst}")),
            remote_oid: None,
        });
    }
    if src.starts_with('-') {
        return Err(PlanError::NotARef(src.into()));
    }
    let local_oid = git_out(cwd, &["rev-parse", "--verify", src])
        .map_err(|_| PlanError::NoSuchRef(src.into()))?;
    let src_full = full_ref(cwd, src);
    let remote_ref = match (dst, &src_full) {
        (Some(d), _) if d.starts_with("refs/") => d.to_string(),
        (Some(d), Some(s)) if s.starts_with("refs/tags/") => format!("refs/tags/{d}"),
        (Some(d), _) => format!("refs/heads/{d}"),
        (None, Some(s)) => s.clone(),
        (None, None) => return Err(PlanError::NoDestination(src.into())),
    };
    let remote_oid = tracking_oid(cwd, tracking, &remote_ref);
    Ok(RefUpdate {
        local_ref: src_full.unwrap_or_else(|| src.to_string()),
        local_oid: Some(local_oid),
        remote_ref,
        remote_oid,
    })
}

fn full_ref(cwd: &Path, name: &str) -> Option<String> {
    if name.starts_with('-') {
        return None;
    }
    git_out(cwd, &["rev-parse", "--symbolic-full-name", name])
        .ok()
        .filter(|s| s.starts_with("refs/"))
}

fn git_out(cwd: &Path, args: &[&str]) -> Result<String, GitError> {
    Ok(git::run(cwd, args)?.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn parses_update_and_new_branch() {
        let input = format!("refs/heads/main {A} refs/heads/main {Z}\n");
        let u = parse_updates(&input).unwrap();
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].local_oid.as_deref(), Some(A));
        assert_eq!(u[0].remote_oid, None);
    }

    #[test]
    fn parses_delete_and_sha256_nulls() {
        let z64 = "0".repeat(64);
        let b64 = "b".repeat(64);
        let input = format!("(delete) {z64} refs/heads/x {b64}\n");
        let u = parse_updates(&input).unwrap();
        assert!(u[0].is_delete());
        assert_eq!(u[0].remote_oid.as_deref(), Some(b64.as_str()));
    }

    #[test]
    fn empty_input_is_no_updates() {
        assert!(parse_updates("").unwrap().is_empty());
        assert!(parse_updates("\n").unwrap().is_empty());
    }

    #[test]
    fn typed_local_ref_is_kept() {
        let input = format!("HEAD~1 {A} refs/heads/main {A}\n");
        assert_eq!(parse_updates(&input).unwrap()[0].local_ref, "HEAD~1");
    }

    #[test]
    fn corrupt_line_names_line() {
        let input = format!("refs/heads/main {A} refs/heads/main {Z}\ngarbage\n");
        let e = parse_updates(&input).unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse_updates("a xyz b c\n").unwrap_err();
        assert!(e.reason.contains("not an object id"), "{e}");
    }

    #[test]
    fn push_options_are_refspecs_refused_together_as_git_refuses_them() {
        let specs = |r: &[&str], all, tags, mirror| {
            let r: Vec<String> = r.iter().map(|s| s.to_string()).collect();
            with_push_options(&r, all, tags, mirror).map_err(|e| e.to_string())
        };
        assert_eq!(
            specs(&[], true, false, false),
            Ok(vec!["refs/heads/*:refs/heads/*".to_string()])
        );
        assert_eq!(
            specs(&["main"], false, true, false),
            Ok(vec![
                "main".to_string(),
                "refs/tags/*:refs/tags/*".to_string()
            ])
        );
        assert_eq!(
            specs(&[], false, false, true),
            Ok(vec!["+refs/*:refs/*".to_string()])
        );
        assert!(specs(&["main"], true, false, false).is_err());
        assert!(specs(&["main"], false, false, true).is_err());
        assert!(specs(&[], true, true, false).is_err());
        assert!(specs(&[], false, true, true).is_err());
    }

    #[test]
    fn stdin_that_is_not_utf8_names_its_line() {
        let mut input = format!("refs/heads/main {A} refs/heads/main {Z}\n").into_bytes();
        input.extend(b"refs/heads/\xff");
        let e = read_updates(&input).unwrap_err();
        assert_eq!(e.to_string(), "pre-push input line 2: not valid UTF-8");
    }

    /// A repository with one commit on `main` and a remote `origin`.
    fn repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for args in [
            &["init", "-q", "-b", "main", "."][..],
            &["remote", "add", "origin", "ssh://git@h/r.git"],
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                "c",
            ],
        ] {
            git::run(d, args).unwrap();
        }
        dir
    }

    #[test]
    fn pre_commit_variables_make_a_one_ref_plan() {
        let dir = repo();
        let d = dir.path();
        let head = git_out(d, &["rev-parse", "HEAD"]).unwrap();
        let vars = |pairs: Vec<(&'static str, String)>| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
        };
        let base = vec![
            ("PRE_COMMIT_REMOTE_NAME", "origin".to_string()),
            ("PRE_COMMIT_REMOTE_URL", "ssh://git@h/r.git".into()),
            ("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main".into()),
            ("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main".into()),
        ];
        assert_eq!(from_pre_commit(d, &vars(vec![])).unwrap(), None);
        // The whole history is new: no FROM/TO_REF, the branch is read from git.
        let plan = from_pre_commit(d, &vars(base.clone())).unwrap().unwrap();
        assert_eq!(plan.source, Source::PreCommit);
        assert_eq!(
            (plan.remote.as_str(), plan.url.as_str()),
            ("origin", "ssh://git@h/r.git")
        );
        assert_eq!(plan.updates[0].local_oid.as_deref(), Some(head.as_str()));
        assert_eq!(plan.updates[0].remote_oid, None);
        let mut with_refs = base.clone();
        with_refs.push(("PRE_COMMIT_FROM_REF", A.into()));
        with_refs.push(("PRE_COMMIT_TO_REF", head.clone()));
        let plan = from_pre_commit(d, &vars(with_refs)).unwrap().unwrap();
        assert_eq!(plan.updates[0].remote_oid.as_deref(), Some(A));
        let mut bad = base;
        bad.push(("PRE_COMMIT_TO_REF", "main".into()));
        let e = from_pre_commit(d, &vars(bad)).unwrap_err().to_string();
        assert_eq!(e, "PRE_COMMIT_TO_REF \"main\" is not an object id");
    }

    #[test]
    fn the_dry_run_plans_the_current_branch_and_names_what_it_cannot() {
        let dir = repo();
        let d = dir.path();
        let cfg = GitConfig::read(d).unwrap();
        let plan = for_check(d, &cfg, None, &[], None).unwrap().remove(0);
        assert_eq!(
            (plan.remote.as_str(), plan.url.as_str()),
            ("origin", "ssh://git@h/r.git")
        );
        assert_eq!(plan.updates[0].remote_ref, "refs/heads/main");
        assert_eq!(plan.updates[0].remote_oid, None, "no tracking ref yet");
        let err = |remote: Option<&str>, specs: &[&str]| {
            let specs: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
            for_check(d, &cfg, remote, &specs, None)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(Some("nowhere"), &[]),
            "\"nowhere\" is neither a configured remote nor a URL"
        );
        assert_eq!(err(None, &["-f"]), "\"-f\" is not a ref");
        assert_eq!(
            err(None, &["nosuch"]),
            "\"nosuch\" is not a ref or commit here"
        );
        assert_eq!(
            err(None, &["HEAD~0"]),
            "\"HEAD~0\" is not a ref: give a destination (HEAD~0:<branch>)"
        );
        let plan = for_check(d, &cfg, None, &[":gone".into(), "HEAD~0:x".into()], None)
            .unwrap()
            .remove(0);
        assert!(plan.updates[0].is_delete());
        assert_eq!(plan.updates[1].remote_ref, "refs/heads/x");
        for url in ["/srv/m.git", "ssh://h/r.git"] {
            let add = ["remote", "set-url", "--add", "--push", "origin", url];
            git::run(d, &add).unwrap();
        }
        let cfg = GitConfig::read(d).unwrap();
        let urls: Vec<String> = for_check(d, &cfg, None, &[], None)
            .unwrap()
            .into_iter()
            .map(|p| p.url)
            .collect();
        assert_eq!(
            urls,
            ["/srv/m.git", "ssh://h/r.git"],
            "every push URL, in order"
        );
        git::run(d, &["branch", "topic"]).unwrap();
        git::run(d, &["tag", "v1"]).unwrap();
        let planned = |specs: &[&str]| -> Result<Vec<(String, String)>, String> {
            let specs: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
            let plans =
                for_check(d, &cfg, Some("origin"), &specs, None).map_err(|e| e.to_string())?;
            Ok(plans[0]
                .updates
                .iter()
                .map(|u| (u.local_ref.clone(), u.remote_ref.clone()))
                .collect())
        };
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        let branches = vec![
            pair("refs/heads/main", "refs/heads/main"),
            pair("refs/heads/topic", "refs/heads/topic"),
        ];
        assert_eq!(
            planned(&["refs/heads/*:refs/heads/*"]),
            Ok(branches.clone())
        );
        assert_eq!(planned(&["+refs/heads/*"]), Ok(branches));
        assert_eq!(
            planned(&["refs/heads/*:refs/heads/x/*", "^refs/heads/topic"]),
            Ok(vec![pair("refs/heads/main", "refs/heads/x/main")])
        );
        assert_eq!(
            planned(&["refs/tags/*:refs/tags/*"]),
            Ok(vec![pair("refs/tags/v1", "refs/tags/v1")])
        );
        assert!(planned(&[":"]).is_err_and(|e| e.starts_with("\":\" pushes the branches")));
        assert!(planned(&["heads/*:x/*"]).is_err_and(|e| e.contains("one `*` on each side")));
        git::run(d, &["checkout", "-q", "--detach"]).unwrap();
        assert_eq!(
            err(Some("origin"), &[]),
            "HEAD is detached: name what to push (pushguard check <remote> <refspec>)"
        );
    }
}
