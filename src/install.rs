//! Installs and removes the pre-push hook, honouring `core.hooksPath` and
//! chaining any hook that was there before.
