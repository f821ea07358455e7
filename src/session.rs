//! Who is logged in, as the server renders every page and the navigation bar.

use leptos::prelude::*;

use crate::{api::auth::current_user, error::AppError, shared::views::CurrentUser};

#[derive(Clone, Copy)]
pub struct AuthContext {
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
}

impl AuthContext {
    pub fn provide() -> Self {
        let auth = AuthContext { user: Resource::new(|| (), |_| current_user()) };
        provide_context(auth);
        auth
    }
}

pub fn use_auth() -> AuthContext {
    expect_context::<AuthContext>()
}
