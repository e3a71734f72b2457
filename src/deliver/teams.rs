//! Microsoft Teams Workflows webhooks: an Adaptive Card 1.4 in the `message` envelope the
//! workflow expects, under 25 KB. Teams answers 202 whether or not it can render a card, so every
//! card is checked here before it is sent.

use super::webhook::Hook;
use super::{Channel, Digest, Failure};
use crate::error::{Error, Result};
use crate::metrics::Status;
use crate::render::{Templates, signed};
use crate::site::safe_url;
use serde_json::{Value, json};

/// Teams refuses messages above this size.
pub const MAX_BYTES: usize = 25 * 1024;
/// At-risk alerts listed per campaign.
const AT_RISK_SHOWN: usize = 3;

/// Escapes text for an Adaptive Card TextBlock, whose Markdown is a small subset (bold,
/// italic, links, lists): only the characters that make that markup are backslash-escaped
/// (Teams on phones shows the escape of any other character, `\(` or `\#`, as it is), and
/// `{{` is broken so it cannot become a DATE()/TIME() function.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '*' | '_' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.replace("{{", "{\u{200B}{").replace("}}", "}\u{200B}}")
}

/// A Teams webhook channel.
#[derive(Debug)]
pub struct Teams {
    name: String,
    hook: Option<Hook>,
    audience: super::Audience,
    mentions: TeamsMentions,
}

/// Owners' Teams identities: GitHub name (lower case, no `@`) → (id, name shown).
pub type TeamsMentions = std::collections::BTreeMap<String, (String, String)>;

impl Teams {
    /// A channel; without a hook it can only render (dry run).
    pub fn new(name: &str, hook: Option<Hook>) -> Teams {
        Teams {
            name: name.to_string(),
            hook,
            audience: super::Audience::default(),
            mentions: TeamsMentions::new(),
        }
    }

    /// Writes the owners `delivery.mentions` maps to a Teams user as mentions.
    pub fn with_mentions(mut self, config: &crate::config::DeliveryConfig) -> Teams {
        self.mentions = config
            .mentions
            .iter()
            .filter_map(|(k, m)| {
                let t = m.teams.as_ref()?;
                Some((
                    k.trim_start_matches('@').to_ascii_lowercase(),
                    (t.id.clone(), t.name.clone()),
                ))
            })
            .collect();
        self
    }

    /// Limits the channel to these owners' alerts and numbers (none: every alert).
    pub fn for_owners(mut self, owners: &[String]) -> Teams {
        self.audience = super::Audience::owners(owners);
        self
    }
}

fn color(status: Status) -> &'static str {
    match status {
        Status::OnTrack => "Good",
        Status::AtRisk => "Warning",
        Status::Overdue => "Attention",
        Status::Done => "Accent",
    }
}

fn text(text: &str) -> Value {
    json!({"type": "TextBlock", "text": text, "wrap": true})
}

/// The Adaptive Card for a digest; `detail` says whether to list at-risk alerts.
pub fn card(digest: &Digest, detail: bool, campaigns: usize, mentions: &TeamsMentions) -> Value {
    // `<at>name</at>` in the text, and who each one is in the card's entities
    let texts: super::chat::Mentions = mentions
        .iter()
        .map(|(k, (_, name))| (k.clone(), format!("<at>{name}</at>")))
        .collect();
    let mut used: Vec<&(String, String)> = Vec::new();
    let mut body = vec![
        json!({"type": "TextBlock", "text": escape(&format!("Secret remediation — {}", digest.week())),
               "weight": "Bolder", "size": "Large", "wrap": true}),
        json!({"type": "TextBlock", "text": escape(&digest.status_counts()), "isSubtle": true, "spacing": "None", "wrap": true}),
    ];
    // what a roll-up lacks, before any number
    if !digest.unread.is_empty() {
        body.push(
            json!({"type": "TextBlock", "color": "Attention", "wrap": true,
            "text": format!("**Not in these numbers:** {}", escape(&digest.unread.join("; ")))}),
        );
    }
    for r in digest.reports.iter().take(campaigns) {
        let s = &r.summary;
        let t = &s.totals;
        let f = &s.forecast;
        let v = &r.view;
        let mut facts = if let Some(mine) = &r.scoped {
            vec![
                json!({"title": "Open for you", "value": format!("{} ({})", mine.open, mine.owners.join(", "))}),
                json!({"title": "At risk", "value": format!("{} ({} critical)", mine.at_risk, mine.critical)}),
                json!({"title": "Oldest", "value": format!("{} days", mine.oldest_age_days)}),
            ]
        } else {
            vec![]
        };
        let campaign_wide = r.scoped.is_none();
        facts.extend(if campaign_wide { vec![
            json!({"title": "Open", "value": format!("{} (backlog {})", t.open, signed(t.net_change))}),
            json!({"title": "This week", "value": format!("{} fixed, {} dismissed, {} new", v.fixed_this_week, v.dismissed_this_week, t.new_this_week)}),
            json!({"title": "Closed", "value": format!("{}% ({} of {})", t.progress_pct, t.closed, t.total)}),
        ] } else { vec![] });
        if t.open > 0 && campaign_wide {
            let mut pace = format!("{} closed", v.pace.fixes);
            if let (Some(new), Some(net)) = (&v.pace.new, &v.pace.net) {
                pace.push_str(&format!(", {new} new, backlog {net}"));
            }
            facts.push(json!({"title": "A week (4 weeks)", "value": pace}));
            if let Some(needed) = &v.pace.needed {
                facts.push(json!({"title": "Net closures needed a week", "value": needed}));
            }
            let finish = f
                .projected_completion
                .map_or("never at this pace".to_string(), |p| p.to_string());
            facts.push(
                json!({"title": "Projected finish", "value": match &v.verdict.rough {
                    Some(rough) => format!("{finish} ({rough})"),
                    None => finish,
                }}),
            );
            if let Some(n) = v.pace.expected_open_at_due {
                facts.push(json!({"title": "Open on due date", "value": n.to_string()}));
            }
        }
        facts.push(json!({"title": "Due", "value": s.campaign.due_on.map_or("no due date".to_string(), |d| d.to_string())}));
        if !s.escalated.is_empty() {
            facts.push(
                json!({"title": "Escalated, still open", "value": s.escalated.len().to_string()}),
            );
        }
        let name = match v.links.report.as_deref() {
            Some(u) => format!("[{}]({u})", escape(&s.campaign.name)),
            None => escape(&s.campaign.name),
        };
        let mut items = vec![
            json!({"type": "ColumnSet", "columns": [
                {"type": "Column", "width": "stretch", "items": [
                    {"type": "TextBlock", "text": name, "weight": "Bolder", "size": "Medium", "wrap": true}]},
                {"type": "Column", "width": "auto", "items": [
                    {"type": "TextBlock", "text": f.status.label(), "weight": "Bolder", "color": color(f.status), "wrap": true}]}
            ]}),
            text(&escape(&v.verdict.headline)),
        ];
        if !v.verdict.decisions.is_empty() {
            let mut block = text(&format!(
                "**Needs a decision:** {}",
                escape(&v.verdict.decisions.join("; "))
            ));
            block["color"] = json!("Attention");
            items.push(block);
        }
        items.push(json!({"type": "FactSet", "facts": facts}));
        if let Some(limit) = &v.campaign_limit {
            let mut block = text(&escape(limit));
            block["size"] = json!("Small");
            items.push(block);
        }
        if detail && s.at_risk.count > 0 {
            let mut lines: Vec<String> = super::fix_first(r, AT_RISK_SHOWN)
                .into_iter()
                .map(|f| {
                    let label = escape(&f.label);
                    let why = super::chat::why_with_mention(&f, &texts, escape);
                    if let Some(m) = f
                        .owner
                        .as_ref()
                        .and_then(|(_, name)| mentions.get(&name.to_ascii_lowercase()))
                        .filter(|m| !used.contains(m))
                    {
                        used.push(m);
                    }
                    let mut line = match &f.url {
                        Some(u) => format!("- [{label}]({u}): {why}"),
                        None => format!("- {label}: {why}"),
                    };
                    if let Some(u) = &f.how_to_fix {
                        line.push_str(&format!(" · [how to fix]({u})"));
                    }
                    if !f.experts.is_empty() {
                        line.push_str(&format!(", ask {}", escape(&f.experts.join(", "))));
                    }
                    line
                })
                .collect();
            let more = s.at_risk.count.saturating_sub(lines.len() as u64);
            if more > 0 {
                lines.push(match super::more_link(r) {
                    Some(u) => format!("- [+{more} more]({u})"),
                    None => format!("- +{more} more"),
                });
            }
            let critical = match s.at_risk.critical_count {
                0 => String::new(),
                n => format!(", {n} critical"),
            };
            let mut block = text(&format!(
                "**Fix first** ({} at risk{critical})\r{}",
                s.at_risk.count,
                lines.join("\r")
            ));
            block["size"] = json!("Small");
            items.push(block);
        }
        body.push(
            json!({"type": "Container", "separator": true, "spacing": "Medium", "items": items}),
        );
    }
    if digest.reports.len() > campaigns {
        body.push(text(&escape(&format!(
            "…and {} more campaigns: see the reports.",
            digest.reports.len() - campaigns
        ))));
    }
    let mut card = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "msteams": {"width": "Full"}
    });
    if !used.is_empty() {
        card["msteams"]["entities"] = entities(&used);
    }
    if let Some(url) = digest.report_url.as_deref().and_then(safe_url) {
        card["actions"] =
            json!([{"type": "Action.OpenUrl", "title": "Open the reports", "url": url}]);
    }
    card
}

/// The Teams card of an escalation: one container per alert, as many as fit in
/// [`MAX_BYTES`] (at most [`crate::render::alarm::SHOWN`]), the rest counted.
/// Owners and contacts `mentions` maps are named in a line of mentions under each alert.
pub fn alarm_message(
    alarm: &crate::render::alarm::Alarm,
    mentions: &TeamsMentions,
) -> std::result::Result<Vec<u8>, String> {
    let mut shown = alarm.items.len().min(crate::render::alarm::SHOWN);
    loop {
        let msg = envelope(alarm_card(alarm, shown, mentions));
        validate(&msg)?;
        let bytes = serde_json::to_vec(&msg).map_err(|e| e.to_string())?;
        if bytes.len() <= MAX_BYTES || shown <= 1 {
            return if bytes.len() <= MAX_BYTES {
                Ok(bytes)
            } else {
                Err(format!(
                    "the escalation card does not fit in {MAX_BYTES} bytes"
                ))
            };
        }
        shown /= 2;
    }
}

fn alarm_card(
    alarm: &crate::render::alarm::Alarm,
    shown: usize,
    mentions: &TeamsMentions,
) -> Value {
    let mut used: Vec<&(String, String)> = Vec::new();
    let mut body = vec![
        json!({"type": "TextBlock", "text": escape(&alarm.subject()),
        "weight": "Bolder", "size": "Large", "color": "Attention", "wrap": true}),
    ];
    for i in &alarm.items[..shown] {
        let label = escape(&format!("{} #{}", i.repo, i.number));
        let title = match &i.url {
            Some(u) => format!("[{label}]({u})"),
            None => label,
        };
        let mut facts = vec![
            json!({"title": "Secret", "value": escape(&i.secret)}),
            json!({"title": "Exposed", "value": format!("{}, {}{}", i.exposed, i.validity, if i.publicly_leaked { ", publicly leaked" } else { "" })}),
        ];
        if let Some(path) = &i.path {
            facts.push(json!({"title": "Where", "value": escape(path)}));
        }
        facts.push(json!({"title": "Owner", "value": i.owner.as_deref().map_or("not known".to_string(), escape)}));
        let who = &i.who;
        if !who.is_empty() {
            facts.push(json!({"title": "Contacts", "value": escape(&who.join(", "))}));
        }
        facts.push(json!({"title": "Rule", "value": escape(&i.rule)}));
        let mut items = vec![
            json!({"type": "TextBlock", "text": title, "weight": "Bolder", "wrap": true}),
            json!({"type": "FactSet", "facts": facts}),
        ];
        // the owner and contacts with a Teams identity, mentioned so that they are notified
        let reach: Vec<String> = i
            .owner
            .iter()
            .map(|o| (o, "owner"))
            .chain(who.iter().map(|w| (w, "contact")))
            .filter_map(|(shown, role)| {
                let m = mentions.get(&super::chat::mention_key(shown))?;
                if !used.contains(&m) {
                    used.push(m);
                }
                Some(format!("<at>{}</at> ({role})", m.1))
            })
            .collect();
        if !reach.is_empty() {
            items.push(text(&format!("Reach {}", reach.join(", "))));
        }
        if let Some(p) = &i.playbook {
            items.push(text(&match &p.url {
                Some(u) => format!("[How to fix: {}]({u})", escape(&p.title)),
                None => format!("How to fix: {}", escape(&p.title)),
            }));
        }
        body.push(json!({"type": "Container", "separator": true, "items": items}));
    }
    let more = alarm.items.len() - shown;
    if more > 0 {
        let links: Vec<String> = alarm
            .more
            .iter()
            .map(|(rule, u)| format!("[{}]({u})", escape(rule)))
            .collect();
        let mut line = format!("+{more} more not listed here");
        if !links.is_empty() {
            line.push_str(&format!("; every alert of {} in GitHub", links.join(", ")));
        }
        body.push(text(&line));
    }
    let mut card = json!({
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": body,
        "msteams": {"width": "Full"}
    });
    if !used.is_empty() {
        card["msteams"]["entities"] = entities(&used);
    }
    card
}

/// The card's `msteams.entities`: who each `<at>name</at>` is.
fn entities(used: &[&(String, String)]) -> Value {
    used.iter()
        .map(|(id, name)| {
            json!({"type": "mention", "text": format!("<at>{name}</at>"),
                   "mentioned": {"id": id, "name": name}})
        })
        .collect()
}

/// The message envelope around a card.
pub fn envelope(card: Value) -> Value {
    json!({"type": "message", "attachments": [{
        "contentType": "application/vnd.microsoft.card.adaptive",
        "contentUrl": null,
        "content": card
    }]})
}

/// The message for a digest: the fullest card that fits in [`MAX_BYTES`].
pub fn message(digest: &Digest, mentions: &TeamsMentions) -> std::result::Result<Vec<u8>, String> {
    let n = digest.reports.len();
    let mut tries = vec![(true, n), (false, n)];
    let mut k = n;
    while k > 1 {
        k /= 2;
        tries.push((false, k));
    }
    for (detail, campaigns) in tries {
        let msg = envelope(card(digest, detail, campaigns, mentions));
        validate(&msg)?;
        let bytes = serde_json::to_vec(&msg).map_err(|e| e.to_string())?;
        if bytes.len() <= MAX_BYTES {
            return Ok(bytes);
        }
    }
    Err(format!("the card does not fit in {MAX_BYTES} bytes"))
}

/// Checks the envelope and its Adaptive Card 1.4 the way Teams would: the element and action
/// types this tool uses, their required properties, and the size.
pub fn validate(msg: &Value) -> std::result::Result<(), String> {
    if msg["type"] != "message" {
        return Err("envelope type is not `message`".into());
    }
    let att = msg["attachments"]
        .as_array()
        .filter(|a| a.len() == 1)
        .ok_or("one attachment expected")?;
    if att[0]["contentType"] != "application/vnd.microsoft.card.adaptive" {
        return Err("attachment is not an Adaptive Card".into());
    }
    let card = &att[0]["content"];
    if card["type"] != "AdaptiveCard" || card["version"] != "1.4" {
        return Err("content is not an Adaptive Card 1.4".into());
    }
    let body = card["body"]
        .as_array()
        .filter(|b| !b.is_empty())
        .ok_or("empty card body")?;
    for e in body {
        element(e)?;
    }
    if let Some(actions) = card.get("actions") {
        for a in actions.as_array().ok_or("actions is not a list")? {
            if a["type"] != "Action.OpenUrl" {
                return Err(format!("unsupported action {}", a["type"]));
            }
            let url = a["url"].as_str().ok_or("Action.OpenUrl without url")?;
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err("Action.OpenUrl url is not http(s)".into());
            }
            if a["title"].as_str().is_none_or(str::is_empty) {
                return Err("Action.OpenUrl without title".into());
            }
        }
    }
    Ok(())
}

fn element(e: &Value) -> std::result::Result<(), String> {
    match e["type"].as_str() {
        Some("TextBlock") => {
            if e["text"].as_str().is_none_or(str::is_empty) {
                return Err("TextBlock without text".into());
            }
        }
        Some("FactSet") => {
            let facts = e["facts"]
                .as_array()
                .filter(|f| !f.is_empty())
                .ok_or("FactSet without facts")?;
            if facts
                .iter()
                .any(|f| f["title"].as_str().is_none() || f["value"].as_str().is_none())
            {
                return Err("a fact needs a title and a value".into());
            }
        }
        Some("ColumnSet") => {
            for c in e["columns"].as_array().ok_or("ColumnSet without columns")? {
                if c["type"] != "Column" {
                    return Err("ColumnSet holds something else than Columns".into());
                }
                for i in c["items"].as_array().ok_or("Column without items")? {
                    element(i)?;
                }
            }
        }
        Some("Container") => {
            for i in e["items"]
                .as_array()
                .filter(|i| !i.is_empty())
                .ok_or("empty Container")?
            {
                element(i)?;
            }
        }
        other => return Err(format!("unsupported element {other:?}")),
    }
    Ok(())
}

impl Channel for Teams {
    fn key(&self) -> String {
        format!("teams:{}", self.name)
    }

    fn outbox_name(&self) -> String {
        format!("teams-{}.json", self.name)
    }

    fn render_alarm(
        &self,
        alarm: &crate::render::alarm::Alarm,
        _templates: &Templates,
    ) -> Result<Vec<u8>> {
        alarm_message(alarm, &self.mentions)
            .map_err(|e| Error::Usage(format!("Teams escalation for `{}`: {e}", self.name)))
    }

    fn render(&self, digest: &Digest, _templates: &Templates) -> Result<Vec<u8>> {
        let bytes = message(&self.audience.digest_for(digest), &self.mentions)
            .map_err(|e| Error::Usage(format!("Teams card for `{}`: {e}", self.name)))?;
        // pretty for the outbox; the size check above is on the compact form sent
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| Error::Usage(e.to_string()))?;
        serde_json::to_vec_pretty(&v).map_err(|e| Error::Usage(e.to_string()))
    }

    async fn send(&self, message: &[u8]) -> std::result::Result<(), Failure> {
        let hook = self
            .hook
            .as_ref()
            .ok_or_else(|| Failure(format!("Teams webhook `{}`: not configured", self.name)))?;
        let compact = serde_json::from_slice::<Value>(message)
            .and_then(|v| serde_json::to_vec(&v))
            .map_err(|e| Failure(format!("Teams webhook `{}`: {e}", self.name)))?;
        hook.post("Teams", &compact, |_| true).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deliver::tests::digest;

    #[test]
    fn a_card_always_fits_and_validates() {
        for n in [1, 5, 60] {
            let d = digest(
                n,
                &"Long name {{DATE(2026-01-01T00:00:00Z)}} *x* ".repeat(8),
            );
            let bytes = message(&d, &Default::default()).unwrap();
            assert!(bytes.len() <= MAX_BYTES, "{n}: {}", bytes.len());
            let v: Value = serde_json::from_slice(&bytes).unwrap();
            validate(&v).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains("{{DATE"),
                "no card function from data"
            );
        }
    }

    #[test]
    fn validation_catches_what_teams_would_not_render() {
        let d = digest(1, "c");
        let good = envelope(card(&d, true, 1, &Default::default()));
        validate(&good).unwrap();
        let mut bad = good.clone();
        bad["attachments"][0]["content"]["version"] = json!("1.6");
        assert!(validate(&bad).is_err());
        let mut bad = good.clone();
        bad["attachments"][0]["content"]["body"][0]["type"] = json!("Carousel");
        assert!(validate(&bad).is_err());
        let mut bad = good.clone();
        bad["attachments"][0]["content"]["body"][0]["text"] = json!("");
        assert!(validate(&bad).is_err());
        let mut bad = good;
        bad["attachments"][0]["content"]["actions"] =
            json!([{"type": "Action.OpenUrl", "title": "x", "url": "javascript:1"}]);
        assert!(validate(&bad).is_err());
    }

    #[test]
    fn text_escaping() {
        assert_eq!(escape("**b** [l](u) <x>"), "\\*\\*b\\*\\* \\[l\\](u) <x>");
        // no escape that Teams on phones would show: `(`, `#`, `<`
        assert_eq!(escape("acme/web #12 (public)"), "acme/web #12 (public)");
        assert_eq!(escape("{{DATE(x)}}"), "{\u{200B}{DATE(x)}\u{200B}}");
    }
}
