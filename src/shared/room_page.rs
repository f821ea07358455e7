//! What a room's page is rendered from: the live part's data, and the membership part the
//! server renders around it. Apart from `views` (which the load generator shares).

use serde::{Deserialize, Serialize};

use super::{membership::RoomAccess, views::RoomPageData};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomPageContent {
    pub data: RoomPageData,
    pub access: RoomAccess,
    /// The site's address as people reach it (`https://chat.example`), for links they copy and
    /// share elsewhere: invite links.
    pub origin: String,
}
