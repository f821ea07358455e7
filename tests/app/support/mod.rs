//! A real server on a loopback port with its own temporary data directory, and clients for it.
#![allow(dead_code)]

use std::{net::SocketAddr, sync::Arc, time::Duration};

use futures::{SinkExt, StreamExt};
use mini_discord::{
    server::{config::Config, db, router, state::AppState},
    shared::{
        protocol::{ClientFrame, ServerFrame},
        views::{MessageView, ReadState},
    },
};
use reqwest::cookie::{CookieStore, Jar};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    tungstenite::{client::IntoClientRequest, http::HeaderValue, Message},
    MaybeTlsStream, WebSocketStream,
};

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    _dir: tempfile::TempDir,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// One person: an HTTP client with its own cookie jar.
pub struct Person {
    pub name: String,
    pub http: reqwest::Client,
    jar: Arc<Jar>,
    base: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn person(&self, name: &str) -> Person {
        Person::at(&self.url(""), name)
    }

    /// A person who has signed up (and so is logged in).
    pub async fn signed_up(&self, name: &str) -> Person {
        let person = self.person(name);
        let response = person.signup(name, "correct horse", "correct horse").await;
        assert!(
            response.status().is_success() || response.status().is_redirection(),
            "sign-up failed: {}",
            response.status()
        );
        person
    }

    /// Alice and Bob signed up and connected to "general", which Alice made: where most tests of
    /// what people do to messages start.
    pub async fn alice_and_bob_in_general(&self) -> (Person, Person, Socket, Socket) {
        let alice = self.signed_up("alice").await;
        let bob = self.signed_up("bob").await;
        alice.open_room("general").await;
        let mut a = alice.socket().await;
        let mut b = bob.socket().await;
        a.join("general").await;
        b.join("general").await;
        (alice, bob, a, b)
    }

    /// How many rows `from` holds (what follows `SELECT count(*) FROM`), read straight from the
    /// database.
    pub async fn count_rows(&self, from: &str) -> i64 {
        use sea_orm::{ConnectionTrait, Statement};
        let db = &self.state.db;
        let sql = format!("SELECT count(*) AS n FROM {from}");
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("query")
            .expect("row");
        row.try_get("", "n").expect("count")
    }
}

impl Person {
    /// A person with a fresh cookie jar, talking to the server at `base` (`http://host:port`).
    pub fn at(base: &str, name: &str) -> Person {
        let jar = Arc::new(Jar::default());
        Person { name: name.to_owned(), http: client_with(&jar), jar, base: base.to_owned() }
    }

    /// The same person (same cookies: one browser) talking to another server.
    pub fn on(&self, base: &str) -> Person {
        Person {
            name: self.name.clone(),
            http: client_with(&self.jar),
            jar: self.jar.clone(),
            base: base.to_owned(),
        }
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http.post(format!("{}{}", self.base, path)).form(form).send().await.expect("request")
    }

    pub async fn signup(&self, name: &str, password: &str, confirm: &str) -> reqwest::Response {
        self.post_form("/api/signup", &[("username", name), ("password", password), ("confirm", confirm)])
            .await
    }

    pub async fn login(&self, name: &str, password: &str) -> reqwest::Response {
        self.post_form("/api/login", &[("username", name), ("password", password)]).await
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{}", self.base, path))
            .header("accept", "text/html")
            .send()
            .await
            .expect("request")
    }

    pub async fn open_room(&self, room: &str) {
        let response = self.post_form("/api/open_room", &[("name", room)]).await;
        assert!(
            !response.status().is_client_error() && !response.status().is_server_error(),
            "open_room: {}",
            response.status()
        );
    }

    pub fn cookie_header(&self) -> Option<String> {
        let url = self.base.parse().expect("url");
        self.jar.cookies(&url).and_then(|value| value.to_str().ok().map(str::to_owned))
    }

    pub async fn socket(&self) -> Socket {
        self.socket_with_origin(Some(self.base.trim_end_matches('/'))).await.expect("socket opens")
    }

    pub async fn socket_with_origin(
        &self,
        origin: Option<&str>,
    ) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
        let mut socket = self.unready_socket(origin).await?;
        match socket.next_frame().await {
            Some(ServerFrame::Ready { .. }) => Ok(socket),
            other => panic!("expected a ready frame, got {other:?}"),
        }
    }

    /// A socket as the server first answers it, before any frame is read.
    pub async fn unready_socket(
        &self,
        origin: Option<&str>,
    ) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
        let url = format!("{}/ws", self.base.replacen("http://", "ws://", 1));
        let mut request = url.into_client_request()?;
        if let Some(cookie) = self.cookie_header() {
            request.headers_mut().insert("cookie", HeaderValue::from_str(&cookie).expect("cookie header"));
        }
        if let Some(origin) = origin {
            request.headers_mut().insert("origin", HeaderValue::from_str(origin).expect("origin header"));
        }
        let (stream, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Socket { stream })
    }
}

/// An HTTP client that keeps its cookies in `jar` and does not follow redirects (tests look at them).
fn client_with(jar: &Arc<Jar>) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub struct Socket {
    pub stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Socket {
    pub async fn send(&mut self, frame: &ClientFrame) {
        let text = serde_json::to_string(frame).expect("frame");
        self.stream.send(Message::text(text)).await.expect("send");
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.stream.send(Message::text(text.to_owned())).await.expect("send");
    }

    /// The next server frame, or None if the socket closed or nothing came within 5 s.
    pub async fn next_frame(&mut self) -> Option<ServerFrame> {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(5), self.stream.next()).await.ok()??;
            match message.ok()? {
                Message::Text(text) => return serde_json::from_str(&text).ok(),
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// Skips frames until one matches.
    pub async fn expect<T>(&mut self, mut pick: impl FnMut(ServerFrame) -> Option<T>) -> T {
        for _ in 0..50 {
            match self.next_frame().await {
                Some(frame) => {
                    if let Some(found) = pick(frame) {
                        return found;
                    }
                }
                None => panic!("socket ended before the expected frame"),
            }
        }
        panic!("expected frame never came")
    }

    /// Posts a message and returns the id its ack gave it.
    pub async fn post(&mut self, room: &str, nonce: &str, body: &str) -> i64 {
        self.send(&ClientFrame::Send {
            room: room.into(),
            nonce: nonce.into(),
            body: body.into(),
            reply_to: None,
        })
        .await;
        self.expect(|frame| match frame {
            ServerFrame::Ack { nonce: acked, id } if acked == nonce => Some(id),
            _ => None,
        })
        .await
    }

    /// The next message whose text is `body` to reach this socket.
    pub async fn message(&mut self, body: &str) -> MessageView {
        self.expect(|frame| match frame {
            ServerFrame::Message { message } if message.body == body => Some(message),
            _ => None,
        })
        .await
    }

    /// The next state of one of the user's rooms (a `read` frame) to reach this socket.
    pub async fn next_read(&mut self) -> ReadState {
        self.expect(|frame| match frame {
            ServerFrame::Read { read, .. } => Some(read),
            _ => None,
        })
        .await
    }

    /// The next message change (edit, deletion, reaction, pin) to reach this socket.
    pub async fn changed(&mut self) -> MessageView {
        self.expect(|frame| match frame {
            ServerFrame::Changed { message } => Some(message),
            _ => None,
        })
        .await
    }

    /// The next refusal; a change arriving first fails the test.
    pub async fn refused(&mut self) -> String {
        self.expect(|frame| match frame {
            ServerFrame::Error { message, .. } => Some(message),
            ServerFrame::Changed { message } => panic!("refused, yet changed: {message:?}"),
            _ => None,
        })
        .await
    }

    pub async fn join(&mut self, room: &str) -> Vec<String> {
        self.send(&ClientFrame::Join { room: room.to_owned(), after: None, changes: None }).await;
        let room = room.to_owned();
        self.expect(|frame| match frame {
            ServerFrame::Presence { room: r, users } if r == room => Some(users),
            _ => None,
        })
        .await
    }

    /// Reads until the socket is closed by the server, returning the close code.
    pub async fn closed(&mut self) -> Option<u16> {
        for _ in 0..50 {
            let message = tokio::time::timeout(Duration::from_secs(5), self.stream.next()).await.ok()??;
            if let Ok(Message::Close(frame)) = message {
                return frame.map(|f| u16::from(f.code));
            }
            if message.is_err() {
                return None;
            }
        }
        None
    }
}

/// A server whose limits are tuned for a test (e.g. a short idle timeout).
pub async fn spawn_app_with(tune: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mut config = Config::for_tests(dir.path().to_owned());
    // The site's own origin is where it listens, as in production.
    config.leptos.site_addr = addr;
    tune(&mut config);
    let db = db::connect_with(&config.database_url, config.sqlite_durability).await.expect("database opens");
    let state = AppState::new(config, db);
    let app = router::build(state.clone());
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .await
            .expect("server runs");
    });
    TestApp { addr, state, _dir: dir }
}
