//! Asks the real ssh for its effective configuration: the command git would
//! run, with `-G` in place of the remote command, bounded by a timeout.
