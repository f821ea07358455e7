//! Enums sent as JSON objects tagged by a `type` key that comes first, decoded without buffering.
//!
//! Serde's internally tagged enums (`#[serde(tag = "type")]`) decode by first copying the whole
//! object into a generic buffer, in case the tag comes last, and then decoding each variant again
//! from that buffer: a second deserializer instantiated for every field type, about 50 KB of the
//! browser's code. Our frames always carry `type` first (serde writes the tag first), so the
//! decoder here reads the tag, then hands the rest of the same object straight to the variant's
//! fields. An object whose first key is not `type` is refused.
//!
//! [`tag_first_enum!`] defines the enum (serialising exactly as `#[serde(tag = "type")]` does)
//! and its decoder from one list, so the two cannot drift apart.

/// Defines an enum of struct variants, each written `"tag" => Variant { fields }`, that
/// serialises as a JSON object with `type` first and deserialises by [the module's](self) rule.
/// Attributes on fields (docs, `#[serde(default)]`) apply to both directions.
macro_rules! tag_first_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $tag:literal => $variant:ident { $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)? }
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(::serde::Serialize)]
        #[serde(tag = "type")]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $tag)]
                $variant { $( $(#[$fmeta])* $field: $ty ),* },
            )*
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct TagFirst;
                impl<'de> ::serde::de::Visitor<'de> for TagFirst {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter) -> ::std::fmt::Result {
                        f.write_str("an object whose first key is \"type\"")
                    }

                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        use ::serde::de::Error as _;
                        if map.next_key::<::std::string::String>()?.as_deref() != Some("type") {
                            return Err(A::Error::missing_field("type"));
                        }
                        let tag: ::std::string::String = map.next_value()?;
                        let rest = ::serde::de::value::MapAccessDeserializer::new(map);
                        match tag.as_str() {
                            $(
                                $tag => {
                                    #[derive(::serde::Deserialize)]
                                    struct Fields { $( $(#[$fmeta])* $field: $ty ),* }
                                    let Fields { $($field),* } = ::serde::Deserialize::deserialize(rest)?;
                                    Ok($name::$variant { $($field),* })
                                }
                            )*
                            other => Err(A::Error::unknown_variant(other, &[$($tag),*])),
                        }
                    }
                }
                deserializer.deserialize_map(TagFirst)
            }
        }
    };
}

pub(crate) use tag_first_enum;
