//! Renders a verdict as text for people or JSON for scripts.
