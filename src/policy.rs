//! Settings (git config `pushguard.*` and environment) and the verdict.
//! Pure: no I/O.
