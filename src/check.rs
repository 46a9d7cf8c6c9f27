//! The one flow: a push plan in, facts found, a verdict out.
