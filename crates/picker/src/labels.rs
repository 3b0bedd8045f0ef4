//! Every string the picker shows. The host passes its own (Moodle's language strings); any it
//! leaves out falls back to English. `{path}`, `{loaded}` and `{total}` are filled in.

use lablink_client::{ErrorKind, wire};
use wasm_bindgen::JsValue;

/// Declares the labels once: field, the host's (camelCase) name, the English default.
macro_rules! labels {
    ($($field:ident $js:literal $default:literal,)*) => {
        #[derive(Debug, Clone, PartialEq)]
        pub struct Labels {
            $(pub $field: String,)*
        }

        impl Default for Labels {
            fn default() -> Self {
                Self { $($field: $default.to_owned(),)* }
            }
        }

        impl Labels {
            /// The host's strings over the English ones; anything not a string is ignored.
            pub fn from_js(object: &JsValue) -> Self {
                let mut labels = Self::default();
                $(
                    if let Some(text) = wire::get(object, $js).as_string() {
                        labels.$field = text;
                    }
                )*
                labels
            }
        }
    };
}

labels! {
    root "root" "Home",
    up "up" "Up",
    refresh "refresh" "Refresh",
    list "list" "Folder contents",
    filter "filter" "Filter by name",
    empty "empty" "This folder is empty.",
    no_match "noMatch" "No name matches the filter.",
    folder "folder" "Folder",
    file "file" "File",
    link "link" "Link (not followed)",
    loading "loading" "Loading…",
    loading_more "loadingMore" "Loaded {loaded} of {total}",
    retry "retry" "Retry",
    error_title "errorTitle" "The folder could not be shown",
    choose "choose" "Choose “{path}”",
    choose_here "chooseHere" "Choose this folder",
    chosen "chosen" "Chosen: {path}",
    new_folder "newFolder" "New folder",
    new_folder_name "newFolderName" "Folder name",
    create "create" "Create",
    cancel "cancel" "Cancel",
    folder_created "folderCreated" "Created “{path}”",
    not_found_fallback "notFoundFallback" "“{path}” no longer exists; showing your home folder.",
    offline "offline" "The file server can't be reached right now.",
    signed_out "signedOut" "Your session has expired: reload the page and sign in again.",
    forbidden "forbidden" "You don't have access to this folder.",
    not_found "notFound" "This folder no longer exists.",
    refused "refused" "The file server refused the request.",
    server "server" "The file server ran into a problem.",
}

impl Labels {
    /// The sentence for an error, in the host's words.
    pub fn for_error(&self, kind: ErrorKind) -> &str {
        match kind {
            ErrorKind::Offline => &self.offline,
            ErrorKind::SignedOut => &self.signed_out,
            ErrorKind::Forbidden => &self.forbidden,
            ErrorKind::NotFound => &self.not_found,
            ErrorKind::Refused => &self.refused,
            ErrorKind::Server => &self.server,
        }
    }
}

/// Fills `{name}` placeholders.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(template.to_owned(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_placeholders() {
        assert_eq!(fill("Loaded {loaded} of {total}", &[("loaded", "5"), ("total", "9")]), "Loaded 5 of 9");
        assert_eq!(fill("{path}", &[("path", "{total}")]), "{total}");
    }
}
