//! The parsed files of a module directory, as the scan hands them to the
//! Terraform evaluator (shared by [`module`](super::module) and
//! [`policy`](super::policy), below both).
use crate::document::Node;

/// A parsed file of a module directory.
pub struct FileSrc<'a> {
    /// Index of the file among the chunk's files.
    pub idx: usize,
    pub doc: &'a Node,
    pub text: &'a str,
    pub json: bool,
}

/// A module directory: its path (relative, forward slashes) and files.
pub struct ModuleDir<'a> {
    pub dir: String,
    pub files: Vec<FileSrc<'a>>,
}
