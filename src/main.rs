//! The `pushguard` binary: the library's `run` does everything and returns
//! the exit code (see `run` for their meaning).

fn main() -> std::process::ExitCode {
    pushguard::run(std::env::args_os()).into()
}
