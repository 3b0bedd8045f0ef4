//! Every string the picker shows. The host passes its own (Moodle's language strings); any it
//! leaves out falls back to English. `{path}`, `{loaded}` and `{total}` are filled in.

use lablink_client::ErrorKind;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Labels {
    pub root: String,
    pub up: String,
    pub refresh: String,
    pub list: String,
    pub filter: String,
    pub empty: String,
    pub no_match: String,
    pub folder: String,
    pub file: String,
    pub link: String,
    pub loading: String,
    pub loading_more: String,
    pub retry: String,
    pub error_title: String,
    pub choose: String,
    pub choose_here: String,
    pub chosen: String,
    pub new_folder: String,
    pub new_folder_name: String,
    pub create: String,
    pub cancel: String,
    pub folder_created: String,
    pub not_found_fallback: String,
    pub offline: String,
    pub signed_out: String,
    pub forbidden: String,
    pub not_found: String,
    pub refused: String,
    pub server: String,
}

impl Default for Labels {
    fn default() -> Self {
        let s = str::to_owned;
        Self {
            root: s("Home"),
            up: s("Up"),
            refresh: s("Refresh"),
            list: s("Folder contents"),
            filter: s("Filter by name"),
            empty: s("This folder is empty."),
            no_match: s("No name matches the filter."),
            folder: s("Folder"),
            file: s("File"),
            link: s("Link (not followed)"),
            loading: s("Loading…"),
            loading_more: s("Loaded {loaded} of {total}"),
            retry: s("Retry"),
            error_title: s("The folder could not be shown"),
            choose: s("Choose “{path}”"),
            choose_here: s("Choose this folder"),
            chosen: s("Chosen: {path}"),
            new_folder: s("New folder"),
            new_folder_name: s("Folder name"),
            create: s("Create"),
            cancel: s("Cancel"),
            folder_created: s("Created “{path}”"),
            not_found_fallback: s("“{path}” no longer exists; showing your home folder."),
            offline: s("The file server can't be reached right now."),
            signed_out: s("Your session has expired: reload the page and sign in again."),
            forbidden: s("You don't have access to this folder."),
            not_found: s("This folder no longer exists."),
            refused: s("The file server refused the request."),
            server: s("The file server ran into a problem."),
        }
    }
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
    fn partial_labels_fall_back_to_english() {
        let labels: Labels = serde_json::from_str(r#"{"root":"Accueil","chooseHere":"Choisir"}"#).unwrap();
        assert_eq!(labels.root, "Accueil");
        assert_eq!(labels.choose_here, "Choisir");
        assert_eq!(labels.up, "Up");
    }

    #[test]
    fn fills_placeholders() {
        assert_eq!(fill("Loaded {loaded} of {total}", &[("loaded", "5"), ("total", "9")]), "Loaded 5 of 9");
        assert_eq!(fill("{path}", &[("path", "{total}")]), "{total}");
    }
}
