//! A minimal stand-in for the Lambda Runtime API on loopback: it hands out one invocation and
//! records what the function answers (`/response` or `/error`), enough to run the real
//! Lambda binary in a test.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What the function posted back for the invocation.
#[derive(Debug)]
pub struct Answer {
    /// `response` or `error`.
    pub kind: String,
    /// The posted body.
    pub body: String,
}

/// A Runtime API serving one event.
pub struct RuntimeApi {
    /// `127.0.0.1:<port>` for `AWS_LAMBDA_RUNTIME_API`.
    pub address: String,
    answers: Receiver<Answer>,
}

impl RuntimeApi {
    /// Starts serving `event` as the first (and only) invocation.
    pub fn serve(event: String) -> RuntimeApi {
        let listener = TcpListener::bind("127.0.0.1:0").expect("loopback listener");
        let address = listener.local_addr().expect("bound").to_string();
        let (sender, answers) = channel();
        std::thread::spawn(move || {
            let mut served = false;
            for stream in listener.incoming().flatten() {
                let sender = sender.clone();
                let event = (!served).then(|| event.clone());
                served = true;
                std::thread::spawn(move || handle(stream, event, sender));
            }
        });
        RuntimeApi { address, answers }
    }

    /// The function's answer, waiting up to `timeout`.
    pub fn answer(&self, timeout: Duration) -> Option<Answer> {
        self.answers.recv_timeout(timeout).ok()
    }
}

fn handle(stream: TcpStream, mut event: Option<String>, answers: Sender<Answer>) {
    let mut reader = BufReader::new(stream.try_clone().expect("stream clones"));
    let mut writer = stream;
    loop {
        let Some((request_line, body)) = read_request(&mut reader) else {
            return;
        };
        let path = request_line
            .split(' ')
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        if path.ends_with("/invocation/next") {
            let Some(body) = event.take() else {
                // Nothing more to hand out: keep the function waiting, as Lambda does.
                std::thread::sleep(Duration::from_secs(3600));
                return;
            };
            let deadline = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_millis()
                + 60_000;
            let headers = format!(
                "Lambda-Runtime-Aws-Request-Id: request-1\r\nLambda-Runtime-Deadline-Ms: {deadline}\r\n\
                 Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:eu-central-1:123456789012:function:pixelstream\r\n\
                 Lambda-Runtime-Trace-Id: Root=1-00000000-000000000000000000000000\r\n"
            );
            respond(&mut writer, "200 OK", &headers, &body);
        } else {
            let kind = if path.ends_with("/error") {
                "error"
            } else {
                "response"
            };
            respond(&mut writer, "202 Accepted", "", "{}");
            let _ = answers.send(Answer {
                kind: kind.to_owned(),
                body,
            });
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(String, String)> {
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).ok()? == 0 {
        return None;
    }
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((request_line, String::from_utf8_lossy(&body).into_owned()))
}

fn respond(writer: &mut TcpStream, status: &str, headers: &str, body: &str) {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{headers}\r\n{body}",
        body.len()
    );
    let _ = writer.write_all(response.as_bytes());
}
