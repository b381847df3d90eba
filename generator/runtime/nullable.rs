//! A field that can be absent, explicitly `null`, or a value.
//!
//! `Option<T>` cannot tell "leave this field alone" from "clear this field", and PATCH bodies need
//! both. Generated structs put `Nullable<T>` on such fields together with
//! `#[serde(default, skip_serializing_if = "Nullable::is_absent")]`, so `Absent` is left out of the
//! JSON, `Null` is sent as `null` and `Value(v)` as `v`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value that may be absent, explicitly null, or present.
///
/// ```ignore
/// let mut patch = UpdateWidget::default();      // every field Absent: nothing is sent
/// patch.description = Nullable::Null;            // sends "description": null (clears it)
/// patch.name = "renamed".to_string().into();     // sends "name": "renamed"
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Nullable<T> {
    /// The field is not sent at all (and was missing when received).
    #[default]
    Absent,
    /// The field is sent as JSON `null` (and was `null` when received).
    Null,
    /// The field has a value.
    Value(T),
}

impl<T> Nullable<T> {
    /// True when the field is absent; used by `skip_serializing_if`.
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// True when the field is explicitly `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// The value, if there is one; `Absent` and `Null` both give `None`.
    pub fn as_option(&self) -> Option<&T> {
        match self {
            Nullable::Value(value) => Some(value),
            Nullable::Absent | Nullable::Null => None,
        }
    }

    /// The value, if there is one; `Absent` and `Null` both give `None`.
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Value(value) => Some(value),
            Nullable::Absent | Nullable::Null => None,
        }
    }
}

impl<T> From<T> for Nullable<T> {
    /// A plain value becomes `Value`.
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

impl<T> From<Option<T>> for Nullable<T> {
    /// `Some(v)` becomes `Value(v)`; `None` becomes `Null`, because a caller who passes an option
    /// explicitly means "set it to this, or clear it".
    fn from(value: Option<T>) -> Self {
        match value {
            Some(value) => Nullable::Value(value),
            None => Nullable::Null,
        }
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(value) => value.serialize(serializer),
            // `Absent` should have been skipped by the field attribute; `null` is the closest
            // meaning if it was not.
            Nullable::Null | Nullable::Absent => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    /// `null` gives `Null` and anything else `Value`; a missing field never reaches here
    /// (`#[serde(default)]` makes it `Absent`).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Option::<T>::deserialize(deserializer)?;
        Ok(value.into())
    }
}

#[cfg(test)]
mod tests {
    use super::Nullable;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Patch {
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        name: Nullable<String>,
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        count: Nullable<i64>,
    }

    #[test]
    fn serializes_absent_null_and_value() {
        let patch = Patch {
            name: Nullable::Null,
            count: 3.into(),
        };
        assert_eq!(serde_json::to_string(&patch).unwrap(), r#"{"name":null,"count":3}"#);
        assert_eq!(serde_json::to_string(&Patch::default()).unwrap(), "{}");
    }

    #[test]
    fn absent_serialized_without_the_attribute_is_null() {
        assert_eq!(serde_json::to_string(&Nullable::<i64>::Absent).unwrap(), "null");
    }

    #[test]
    fn deserializes_missing_null_and_value() {
        let patch: Patch = serde_json::from_str(r#"{"name":null}"#).unwrap();
        assert_eq!(patch.name, Nullable::Null);
        assert_eq!(patch.count, Nullable::Absent);

        let patch: Patch = serde_json::from_str(r#"{"name":"a","count":2}"#).unwrap();
        assert_eq!(patch.name, Nullable::Value("a".to_string()));
        assert_eq!(patch.count, Nullable::Value(2));
    }

    #[test]
    fn conversions_and_accessors() {
        let from_none: Nullable<i32> = None.into();
        assert!(from_none.is_null());
        assert_eq!(Nullable::from(Some(1)).into_option(), Some(1));
        assert_eq!(Nullable::Value(5).as_option(), Some(&5));
        assert_eq!(Nullable::<i32>::Null.as_option(), None);
        assert!(Nullable::<i32>::default().is_absent());
    }
}
