//! Who is logged in, as every page and the navigation bar see it.

use leptos::prelude::*;

use crate::{api::auth::current_user, error::AppError, shared::views::CurrentUser};

#[derive(Clone, Copy)]
pub struct AuthContext {
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
    /// Bumped after a log-in, sign-up or log-out so the user is fetched again.
    version: RwSignal<u32>,
}

impl AuthContext {
    pub fn provide() -> Self {
        let version = RwSignal::new(0);
        let user = Resource::new(move || version.get(), |_| current_user());
        let auth = AuthContext { user, version };
        provide_context(auth);
        auth
    }

    pub fn changed(&self) {
        self.version.update(|v| *v += 1);
    }

    /// Fetches the user again whenever `version` (an action's version) changes, that is, after
    /// each completed log-in, sign-up or log-out, whatever its result.
    pub fn refresh_after<A>(&self, version: A)
    where
        A: Fn() -> usize + Send + Sync + 'static,
    {
        let auth = *self;
        Effect::watch(version, move |_, _, _| auth.changed(), false);
    }
}

pub fn use_auth() -> AuthContext {
    expect_context::<AuthContext>()
}
