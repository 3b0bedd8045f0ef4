//! The noto-legacy protocol, as the original noto Moodle plugins speak it.
//!
//! Requests carry five query parameters (`user`, `timestamp`, `payload`, `md5_payload`,
//! `key`); replies are always HTTP 200 with an [`Envelope`] whose `payload` is JSON text.

use serde::{Deserialize, Serialize};

/// `return.code` values.
pub mod code {
    pub const OK: i64 = 0;
    pub const MISSING_PARAMETER: i64 = 100;
    pub const EXPIRED: i64 = 102;
    pub const MD5_MISMATCH: i64 = 103;
    pub const BAD_HMAC: i64 = 104;
    pub const UNKNOWN_KEY: i64 = 401;
    pub const NOT_FOUND: i64 = 404;
    pub const OTHER: i64 = 500;
}

/// The five query parameters that authenticate a request.
pub const AUTH_PARAMS: [&str; 5] = ["user", "timestamp", "payload", "md5_payload", "key"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnStatus {
    pub code: i64,
    pub status: String,
}

/// Every reply. Field order matches the original server's (sorted keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub md5_payload: String,
    pub payload: String,
    #[serde(rename = "return")]
    pub ret: ReturnStatus,
}

/// The user block of every request payload; the home is derived from `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyUser {
    pub id: String,
    #[serde(default)]
    pub primary_email: String,
    #[serde(default)]
    pub auth_method: String,
}

/// Payload of `/ls`, `/lof` (with `max_depth`) and `/lod`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathPayload {
    pub user: LegacyUser,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_depth: Option<u32>,
}

/// Payload of `/zfs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderPayload {
    pub user: LegacyUser,
    pub folder: String,
}

/// Payload of `/uzu` (the zip is the multipart field `file`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationPayload {
    pub user: LegacyUser,
    pub destination: String,
}

/// `type` of a listed item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemType {
    Directory,
    File,
}

/// One item of `/ls` (files carry their modification time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LsItem {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ItemType,
    #[serde(rename = "last-modification", default, skip_serializing_if = "Option::is_none")]
    pub last_modification: Option<String>,
}

/// One node of `/lof`: folders carry `children` (`null` past `max_depth`), files their time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LofItem {
    Directory {
        name: String,
        #[serde(rename = "type")]
        kind: ItemType,
        children: Option<Vec<LofItem>>,
    },
    File {
        name: String,
        #[serde(rename = "type")]
        kind: ItemType,
        #[serde(rename = "last-modification")]
        last_modification: String,
    },
}

/// One node of `/lod`: folders only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LodNode {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ItemType,
    pub children: Vec<LodNode>,
}

/// Reply payload of `/zfs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZfsReply {
    pub origin: String,
    pub blob: String,
    pub method: String,
    pub mime: String,
}

/// Reply payload of `/uzu`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UzuReply {
    pub extractpath: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lof_item_shapes() {
        let tree = vec![
            LofItem::File {
                name: "a.txt".into(),
                kind: ItemType::File,
                last_modification: "2020-11-25 13:22:30".into(),
            },
            LofItem::Directory { name: "d".into(), kind: ItemType::Directory, children: None },
        ];
        assert_eq!(
            serde_json::to_string(&tree).unwrap(),
            r#"[{"name":"a.txt","type":"file","last-modification":"2020-11-25 13:22:30"},{"name":"d","type":"directory","children":null}]"#
        );
    }

    #[test]
    fn php_payload_parses() {
        // As PHP's json_encode writes it, slashes escaped.
        let p: PathPayload = serde_json::from_str(
            r#"{"user":{"id":"a.b","primary_email":"a@b.c","auth_method":"test"},"path":"\/x\/y"}"#,
        )
        .unwrap();
        assert_eq!(p.path.as_deref(), Some("/x/y"));
        assert_eq!(p.user.id, "a.b");
    }
}
