//! Writes a deterministic `git fast-import` stream for the benchmark
//! (bench/estimate.sh): a history with three levels of directories, a side
//! branch merged back every `merge_every` commits, and small text files.
//!
//! Usage: `gen_repo <seed> <commits> <files-per-commit> | git fast-import`
//! Objects ≈ commits × (3 × files-per-commit + 2). Same arguments, same repository.

use std::io::{self, BufWriter, Write};

/// Directories per level (16 × 16 leaf directories).
const FANOUT: u64 = 16;
/// Files per leaf directory.
const FILES_PER_DIR: u64 = 24;
/// A side branch of a few commits is merged back this often.
const MERGE_EVERY: u64 = 40;

/// xorshift64*: small, seeded, identical on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: [&str; 16] = [
    "push", "pack", "tree", "blob", "idle", "keep", "alive", "remote", "branch", "merge", "delta",
    "index", "object", "commit", "server", "client",
];

fn write_commit(
    out: &mut impl Write,
    rng: &mut Rng,
    branch: &str,
    mark: u64,
    parents: &[u64],
    files: u64,
) -> io::Result<()> {
    let time = 1_700_000_000 + mark * 60;
    writeln!(out, "commit refs/heads/{branch}")?;
    writeln!(out, "mark :{mark}")?;
    writeln!(out, "author Bench <bench@example.invalid> {time} +0000")?;
    writeln!(out, "committer Bench <bench@example.invalid> {time} +0000")?;
    let msg = format!("change {mark}\n");
    write!(out, "data {}\n{msg}", msg.len())?;
    if let Some(first) = parents.first() {
        writeln!(out, "from :{first}")?;
    }
    for p in parents.iter().skip(1) {
        writeln!(out, "merge :{p}")?;
    }
    for _ in 0..files {
        let path = format!(
            "d{:x}/e{:x}/f{}.txt",
            rng.below(FANOUT),
            rng.below(FANOUT),
            rng.below(FILES_PER_DIR)
        );
        let mut body = format!("{path} at {mark}\n");
        for _ in 0..6 {
            let line: Vec<&str> = (0..7).map(|_| WORDS[rng.below(16) as usize]).collect();
            body.push_str(&line.join(" "));
            body.push('\n');
        }
        writeln!(out, "M 100644 inline {path}")?;
        write!(out, "data {}\n{body}", body.len())?;
    }
    writeln!(out)
}

fn main() -> io::Result<()> {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap_or(0))
        .collect();
    let [seed, commits, files] = args[..] else {
        eprintln!("usage: gen_repo <seed> <commits> <files-per-commit>");
        std::process::exit(2);
    };
    let mut rng = Rng(seed.max(1));
    let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
    let mut mark = 0;
    let mut main_tip = None;
    let mut i = 0;
    while i < commits {
        if i > 0 && i % MERGE_EVERY == 0 && commits - i > 4 {
            // A side branch of 3 commits from main, merged back.
            let base = main_tip;
            let mut side = base;
            for _ in 0..3 {
                mark += 1;
                let parents: Vec<u64> = side.into_iter().collect();
                write_commit(&mut out, &mut rng, "side", mark, &parents, files)?;
                side = Some(mark);
                i += 1;
            }
            mark += 1;
            let parents: Vec<u64> = main_tip.into_iter().chain(side).collect();
            write_commit(&mut out, &mut rng, "main", mark, &parents, files)?;
        } else {
            mark += 1;
            let parents: Vec<u64> = main_tip.into_iter().collect();
            write_commit(&mut out, &mut rng, "main", mark, &parents, files)?;
        }
        main_tip = Some(mark);
        i += 1;
    }
    writeln!(out, "reset refs/heads/side")?;
    writeln!(out, "from 0000000000000000000000000000000000000000")?;
    out.flush()
}
