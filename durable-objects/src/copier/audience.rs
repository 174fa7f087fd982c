//! A shard's sockets grouped by what they receive (role and sizing), kept in memory between
//! pushes so a signal costs one render per group and one call into JavaScript per group. Rebuilt
//! from the sockets' attachments whenever the set may have changed, and after the object wakes
//! from hibernation (memory does not survive it; attachments do).

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use worker::js_sys::Array;
use worker::WebSocket;

use super::protocol::{Member, MemberRole};

// The loop over a group's sockets runs in JavaScript: one crossing from WebAssembly and one
// string conversion per group instead of per socket. Answers the indexes whose send threw.
#[wasm_bindgen(inline_js = "
export function send_to_each(sockets, text) {
  const failed = [];
  for (let i = 0; i < sockets.length; i++) {
    try { sockets[i].send(text); } catch (_) { failed.push(i); }
  }
  return failed;
}")]
extern "C" {
    fn send_to_each(sockets: &Array, text: &str) -> Array;
}

/// Sockets whose members share a role and a `trade_copy`, so they get the same text.
pub struct Group {
    /// Any one of the group's members: what the message is rendered for.
    pub member: Member,
    sockets: Array,
    pub user_ids: Vec<String>,
}

impl Group {
    pub fn follows(&self) -> bool {
        self.member.role == MemberRole::Follower
    }

    /// Sends `text` to every socket of the group; closes and answers the indexes that failed.
    pub fn send(&self, text: &str) -> Vec<usize> {
        let failed: Vec<usize> =
            send_to_each(&self.sockets, text).iter().filter_map(|index| index.as_f64()).map(|i| i as usize).collect();
        for &index in &failed {
            let socket = WebSocket::from(self.sockets.get(index as u32).unchecked_into::<web_sys::WebSocket>());
            let _ = socket.close(Some(1011), Some("send failed"));
        }
        failed
    }
}

#[derive(Default)]
pub struct Audience {
    pub groups: Vec<Group>,
}

impl Audience {
    /// Groups `sockets` by their attachment; a socket without a readable member is closed.
    pub fn from_sockets(sockets: Vec<WebSocket>) -> Self {
        let mut audience = Self::default();
        for ws in sockets {
            match ws.deserialize_attachment::<Member>() {
                Ok(Some(member)) => audience.add(ws, member),
                _ => {
                    let _ = ws.close(Some(1011), Some("lost its member record"));
                }
            }
        }
        audience
    }

    fn add(&mut self, ws: WebSocket, member: Member) {
        let user_id = member.user_id.clone();
        let found = self
            .groups
            .iter()
            .position(|group| group.member.role == member.role && group.member.trade_copy == member.trade_copy);
        let index = match found {
            Some(index) => index,
            None => {
                self.groups.push(Group { member, sockets: Array::new(), user_ids: Vec::new() });
                self.groups.len() - 1
            }
        };
        let group = &mut self.groups[index];
        let socket: &web_sys::WebSocket = ws.as_ref();
        group.sockets.push(AsRef::<JsValue>::as_ref(socket));
        group.user_ids.push(user_id);
    }
}
