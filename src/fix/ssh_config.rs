//! The ssh-config fix: place the lines (`placement`), make the bytes
//! (`edit`), predict with the builtin resolver on an overlay, and with
//! `--apply` write (`safe_write`), prove with the real `ssh -G` and undo
//! when the proof fails (`proof`).

use std::path::Path;

use super::edit::{self, Key};
use super::facts::Facts;
use super::proof::{self, Others};
use super::{Change, FixError, Report, Request, Status, Writer, placement, remote_hosts};
use crate::git::GitConfig;

/// The file's bytes, `None` when it does not exist.
fn read(path: &Path) -> Result<Option<Vec<u8>>, FixError> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(FixError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Plans (and with `--apply` makes and proves) the edit that sets `keys` for `facts.host`.
pub fn fix(
    mut report: Report,
    facts: &Facts,
    keys: &[(Key, u64)],
    req: &Request,
    writer: &Writer,
    idle: u64,
    cfg: &GitConfig,
) -> Result<Report, FixError> {
    let Some(b) = &facts.builtin else {
        return Ok(report.end(
            Status::CannotFix,
            "pushguard cannot tell where the keepalive comes from, so it cannot tell where a config line would win: use --target git-config",
        ));
    };
    let Some(top) = &b.top_file else {
        return Ok(report.end(
            Status::CannotFix,
            "the ssh command reads no config file (-F none): use --target git-config",
        ));
    };
    let alias = facts.host.as_str();
    let only: Vec<Key> = keys.iter().map(|(k, _)| *k).collect();
    let placed = placement::place(&b.log, &only, alias, top);
    report.why.push(placed.why.clone());
    let file = placed.place.file().clone();
    let old = read(&file)?;
    if old.is_none() {
        report.why.push(format!(
            "{} does not exist yet: it is created (mode 0600)",
            file.display()
        ));
    }
    let (new, at) = edit::realize(
        old.as_deref().unwrap_or_default(),
        &placed.place,
        keys,
        alias,
    )
    .map_err(|e| FixError::Probe(format!("{}: {e}", file.display())))?;
    let mut names = Vec::new();
    proof::hosts_named(old.as_deref().unwrap_or_default(), &mut names);
    proof::hosts_named(&new, &mut names);
    for h in remote_hosts(cfg) {
        if !names.contains(&h) {
            names.push(h);
        }
    }
    let allowed = proof::asked(alias);
    if let Err(e) = proof::predict(facts, &file, &new, &at, keys, &names, &allowed) {
        return Ok(report.end(
            Status::CannotFix,
            format!("the edit pushguard found would not work ({e}); nothing changed"),
        ));
    }
    report.change = Some(Change::SshConfig {
        file: file.clone(),
        diff: edit::unified(
            &file.display().to_string(),
            old.as_deref().unwrap_or_default(),
            &new,
        ),
    });
    if !req.apply {
        if std::fs::metadata(&file).is_ok_and(|m| m.permissions().readonly()) {
            report.notes.push(format!(
                "{} is read-only: --apply will refuse to change it",
                file.display()
            ));
        }
        return Ok(report);
    }
    let others = Others::before(&facts.inv, alias, &names, &facts.top);
    let written = writer.replace(&file, old.as_deref(), &new, true)?;
    report.backup = written.backup.clone();
    let p = proof::after(
        facts,
        &facts.inv,
        Some(&file),
        &at,
        keys,
        idle,
        &others,
        &allowed,
    );
    let ok = p.ok;
    report.proof = Some(p);
    if ok {
        return Ok(report.end(
            Status::Applied,
            "proven with ssh -G through the command git runs",
        ));
    }
    writer.restore(&written, &new, old.as_deref())?;
    report.backup = None;
    Ok(report.end(
        Status::Restored,
        "the proof failed, so the original bytes are back",
    ))
}
