//! Slack incoming webhooks: a `text` fallback plus Block Kit blocks — a header, one section
//! per campaign (status, open, resolved this week, net change, the alerts to fix first) and a
//! button to the reports. Slack's limits are enforced here; text from the config or GitHub
//! is escaped for mrkdwn (`&`, `<`, `>`).

use super::webhook::Hook;
use super::{Channel, Digest, Failure, clip};
use crate::error::{Error, Result};
use crate::metrics::Status;
use crate::render::{Templates, signed};
use crate::site::safe_url;
use serde_json::{Value, json};

/// At most this many blocks per message.
pub const MAX_BLOCKS: usize = 50;
/// At most this many characters in a section's text.
pub const MAX_SECTION_TEXT: usize = 3000;
/// At most this many characters in a header.
pub const MAX_HEADER: usize = 150;
/// At most this many fields in a section.
pub const MAX_FIELDS: usize = 10;
/// At most this many characters in a `text` fallback (Slack truncates beyond).
pub const MAX_TEXT: usize = 4000;
/// At-risk alerts listed per campaign.
const AT_RISK_SHOWN: usize = 3;

/// Escapes text for Slack mrkdwn: `&`, `<` and `>` would start entities and links; line
/// breaks become spaces; and as mrkdwn has no escape for `*`, `_`, `~` and `` ` ``, a
/// zero-width space after each keeps it from opening bold, italics, strikes or code.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !push_control(&mut out, c) {
            out.push(c);
            if matches!(c, '*' | '_' | '~' | '`') {
                out.push('\u{200B}');
            }
        }
    }
    out
}

/// Pushes what Slack's text must not hold as it is (`&`, `<`, `>` as entities, line breaks as
/// spaces); false for any other character, left to the caller.
fn push_control(out: &mut String, c: char) -> bool {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '\n' | '\r' => out.push(' '),
        _ => return false,
    }
    true
}

/// Text as inline code: Slack neither formats nor links what is inside, so a file path such
/// as `www.example.com/x` stays a path. A backtick, which would end the code early, becomes
/// `ˋ`.
pub fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('`');
    for c in text.chars() {
        if !push_control(&mut out, c) {
            out.push(if c == '`' { 'ˋ' } else { c });
        }
    }
    out.push('`');
    out
}

/// A link label: escaped, and without `|`, which would end the label early.
fn link_label(text: &str) -> String {
    escape(text).replace('|', "¦")
}

/// Cuts mrkdwn to at most `max` characters without splitting a `<url|label>` link: a cut
/// that would fall inside one ends before it.
pub fn clip_mrkdwn(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    if let Some(open) = cut.rfind('<')
        && !cut[open..].contains('>')
    {
        cut.truncate(open);
    }
    cut.push('…');
    cut
}

/// A Slack webhook channel.
#[derive(Debug)]
pub struct Slack {
    name: String,
    hook: Option<Hook>,
    audience: super::Audience,
    mentions: super::chat::Mentions,
}

impl Slack {
    /// A channel; without a hook it can only render (dry run).
    pub fn new(name: &str, hook: Option<Hook>) -> Slack {
        Slack {
            name: name.to_string(),
            hook,
            audience: super::Audience::default(),
            mentions: Default::default(),
        }
    }

    /// Writes the owners `delivery.mentions` maps as Slack mentions.
    pub fn with_mentions(mut self, config: &crate::config::DeliveryConfig) -> Slack {
        self.mentions = config
            .mentions
            .keys()
            .filter_map(|k| {
                let m = config.slack_mention(k)?;
                Some((k.trim_start_matches('@').to_ascii_lowercase(), m))
            })
            .collect();
        self
    }

    /// Limits the channel to these owners' alerts and numbers (none: every alert).
    pub fn for_owners(mut self, owners: &[String]) -> Slack {
        self.audience = super::Audience::owners(owners);
        self
    }
}

fn emoji(status: Status) -> &'static str {
    match status {
        Status::OnTrack => ":large_green_circle:",
        Status::AtRisk => ":large_orange_circle:",
        Status::Overdue => ":red_circle:",
        Status::Done => ":white_check_mark:",
    }
}

/// The Slack message for a digest, within Slack's limits.
pub fn payload(digest: &Digest, mentions: &super::chat::Mentions) -> Value {
    let title = format!("Secret remediation — {}", digest.week());
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": clip(&title, MAX_HEADER), "emoji": true}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": clip(&escape(&digest.status_counts()), MAX_SECTION_TEXT)}}),
    ];
    // what a roll-up lacks, before any number
    if !digest.unread.is_empty() {
        let text = format!(
            ":warning: *Not in these numbers:* {}",
            escape(&digest.unread.join("; "))
        );
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": clip_mrkdwn(&text, MAX_SECTION_TEXT)}}));
    }
    // header + summary (+ what is missing) + (section, context, divider) per campaign +
    // overflow note + button
    let room = (MAX_BLOCKS - 2 - blocks.len()) / 3;
    let shown = digest.reports.len().min(room);
    for r in &digest.reports[..shown] {
        let s = &r.summary;
        let t = &s.totals;
        let v = &r.view;
        let name = match v.links.report.as_deref() {
            Some(u) => format!("<{u}|{}>", link_label(&s.campaign.name)),
            None => format!("*{}*", escape(&s.campaign.name)),
        };
        let mut text = format!(
            "{name} · {} *{}*\n{}",
            emoji(s.forecast.status),
            s.forecast.status.label(),
            escape(&v.verdict.headline),
        );
        if !v.verdict.decisions.is_empty() {
            text.push_str(&format!(
                "\n*Needs a decision:* {}",
                escape(&v.verdict.decisions.join("; "))
            ));
        }
        if let Some(mine) = &r.scoped {
            text.push_str(&format!(
                "\n*{}* open for {} · *{}* at risk · *{}* critical · the oldest {} days old",
                mine.open,
                escape(&mine.owners.join(", ")),
                mine.at_risk,
                mine.critical,
                mine.oldest_age_days
            ));
        } else if t.total > 0 {
            text.push_str(&format!(
                "\n*{}* open (backlog {}) · *{}* fixed, {} dismissed · *{}* new · {}% closed",
                t.open,
                signed(t.net_change),
                v.fixed_this_week,
                v.dismissed_this_week,
                t.new_this_week,
                t.progress_pct
            ));
            text.push_str(&format!("\nA week: {} closed", v.pace.fixes));
            if let (Some(new), Some(net)) = (&v.pace.new, &v.pace.net) {
                text.push_str(&format!(", {new} new, backlog {net}"));
            }
            if let (Some(needed), Some(due)) = (&v.pace.needed, s.campaign.due_on) {
                text.push_str(&format!(" · {needed} net closures needed by {due}"));
            }
            if let Some(rough) = &v.verdict.rough {
                text.push_str(&format!(" ({})", escape(rough)));
            }
            if let Some(limit) = &v.campaign_limit {
                text.push_str(&format!("\n{}", escape(limit)));
            }
        }
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": clip_mrkdwn(&text, MAX_SECTION_TEXT)}}));
        let risky: Vec<String> = super::fix_first(r, AT_RISK_SHOWN)
            .into_iter()
            .map(|f| {
                let why = super::chat::why_with_mention(&f, mentions, escape);
                let mut line = match &f.url {
                    Some(u) => format!("<{u}|{}> ({why})", link_label(&f.label)),
                    None => format!("{} ({why})", escape(&f.label)),
                };
                if let Some(u) = &f.how_to_fix {
                    line.push_str(&format!(" <{u}|how to fix>"));
                }
                if !f.experts.is_empty() {
                    line.push_str(&format!(", ask {}", escape(&f.experts.join(", "))));
                }
                line
            })
            .collect();
        let context = if risky.is_empty() {
            "No alert at risk.".to_string()
        } else {
            let critical = match s.at_risk.critical_count {
                0 => String::new(),
                n => format!(", {n} critical"),
            };
            let mut line = format!(
                "Fix first ({} at risk{critical}): {}",
                s.at_risk.count,
                risky.join(" · ")
            );
            let more = s.at_risk.count.saturating_sub(risky.len() as u64);
            if more > 0 {
                line.push_str(&match super::more_link(r) {
                    Some(u) => format!(" · <{u}|+{more} more>"),
                    None => format!(" · +{more} more"),
                });
            }
            line
        };
        let context = match s.escalated.len() {
            0 => context,
            n => format!("*{n} escalated and still open* · {context}"),
        };
        blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": clip_mrkdwn(&context, MAX_SECTION_TEXT)}]}));
        blocks.push(json!({"type": "divider"}));
    }
    if digest.reports.len() > shown {
        let rest: Vec<String> = digest.reports[shown..]
            .iter()
            .map(|r| {
                format!(
                    "{} ({})",
                    escape(&r.summary.campaign.name),
                    r.summary.forecast.status.label()
                )
            })
            .collect();
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn",
            "text": clip(&format!("…and {} more: {}", rest.len(), rest.join(", ")), MAX_SECTION_TEXT)}}));
    }
    if let Some(url) = digest.report_url.as_deref().and_then(safe_url) {
        blocks.push(json!({"type": "actions", "elements": [{"type": "button",
            "text": {"type": "plain_text", "text": "Open the reports"}, "url": url}]}));
    }
    let mut fallback = escape(&format!("{title}: {}", digest.status_counts()));
    for r in &digest.reports {
        fallback.push('\n');
        fallback.push_str(&escape(&format!(
            "{}: {}, {} open",
            r.summary.campaign.name, r.view.verdict.headline, r.summary.totals.open,
        )));
    }
    json!({"text": clip_mrkdwn(&fallback, MAX_TEXT), "blocks": blocks})
}

/// Checks a payload against Slack's limits.
pub fn check_limits(payload: &Value) -> std::result::Result<(), String> {
    let blocks = payload["blocks"].as_array().ok_or("no blocks")?;
    if blocks.len() > MAX_BLOCKS {
        return Err(format!("{} blocks (at most {MAX_BLOCKS})", blocks.len()));
    }
    for b in blocks {
        let len = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
        match b["type"].as_str() {
            Some("header") if len(&b["text"]["text"]) > MAX_HEADER => {
                return Err("header too long".into());
            }
            Some("section") => {
                if len(&b["text"]["text"]) > MAX_SECTION_TEXT {
                    return Err("section text too long".into());
                }
                if b["fields"].as_array().is_some_and(|f| f.len() > MAX_FIELDS) {
                    return Err("too many fields".into());
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The Slack message of an escalation: one section per alert (at most
/// [`crate::render::alarm::SHOWN`]), the rest counted with a link to them in GitHub.
/// Owners and contacts `mentions` maps are written as Slack mentions.
pub fn alarm_payload(
    alarm: &crate::render::alarm::Alarm,
    mentions: &super::chat::Mentions,
) -> Value {
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": clip(&format!("\u{1F6A8} {}", alarm.subject()), MAX_HEADER), "emoji": true}}),
    ];
    let shown = alarm.items.len().min(crate::render::alarm::SHOWN);
    for i in &alarm.items[..shown] {
        let label = format!("{} #{}", i.repo, i.number);
        let mut text = match &i.url {
            Some(u) => format!("*<{u}|{}>*", link_label(&label)),
            None => format!("*{}*", escape(&label)),
        };
        text.push_str(&format!(
            " · {} · exposed {} · {}{}",
            escape(&i.secret),
            i.exposed,
            i.validity,
            if i.publicly_leaked {
                " · *publicly leaked*"
            } else {
                ""
            }
        ));
        let mut second = Vec::new();
        if let Some(path) = &i.path {
            second.push(format!("in {}", code(path)));
        }
        second.push(match &i.owner {
            Some(o) => format!(
                "owner {}",
                super::chat::people(std::slice::from_ref(o), mentions, escape)
            ),
            None => "no owner known".into(),
        });
        if let Some(p) = &i.playbook {
            second.push(match &p.url {
                Some(u) => format!("<{u}|how to fix: {}>", link_label(&p.title)),
                None => format!("how to fix: {}", escape(&p.title)),
            });
        }
        text.push('\n');
        text.push_str(&second.join(" · "));
        let who = &i.who;
        text.push_str(&format!("\nRule “{}”", escape(&i.rule)));
        if i.after != "0s" {
            text.push_str(&format!(" (open {} or more)", escape(&i.after)));
        }
        if !who.is_empty() {
            text.push_str(&format!(
                " · contacts {}",
                super::chat::people(who, mentions, escape)
            ));
        }
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": clip_mrkdwn(&text, MAX_SECTION_TEXT)}}));
    }
    let more = alarm.items.len() - shown;
    if more > 0 {
        let links: Vec<String> = alarm
            .more
            .iter()
            .map(|(rule, u)| format!("<{u}|{}>", link_label(rule)))
            .collect();
        let mut text = format!("+{more} more not listed here");
        if !links.is_empty() {
            text.push_str(&format!("; every alert of {} in GitHub", links.join(", ")));
        }
        blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": clip_mrkdwn(&text, MAX_SECTION_TEXT)}]}));
    }
    json!({"text": clip(&escape(&alarm.subject()), MAX_TEXT), "blocks": blocks})
}

impl Channel for Slack {
    fn key(&self) -> String {
        format!("slack:{}", self.name)
    }

    fn outbox_name(&self) -> String {
        format!("slack-{}.json", self.name)
    }

    fn render_alarm(
        &self,
        alarm: &crate::render::alarm::Alarm,
        _templates: &Templates,
    ) -> Result<Vec<u8>> {
        let p = alarm_payload(alarm, &self.mentions);
        check_limits(&p)
            .map_err(|e| Error::Usage(format!("Slack escalation for `{}`: {e}", self.name)))?;
        serde_json::to_vec_pretty(&p).map_err(|e| Error::Usage(e.to_string()))
    }

    fn render(&self, digest: &Digest, _templates: &Templates) -> Result<Vec<u8>> {
        let p = payload(&self.audience.digest_for(digest), &self.mentions);
        check_limits(&p)
            .map_err(|e| Error::Usage(format!("Slack message for `{}`: {e}", self.name)))?;
        serde_json::to_vec_pretty(&p).map_err(|e| Error::Usage(e.to_string()))
    }

    async fn send(&self, message: &[u8]) -> std::result::Result<(), Failure> {
        let hook = self
            .hook
            .as_ref()
            .ok_or_else(|| Failure(format!("Slack webhook `{}`: not configured", self.name)))?;
        hook.post("Slack", message, |body| {
            body.trim() == "ok" || body.trim().is_empty()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deliver::tests::digest;

    #[test]
    fn many_campaigns_stay_within_slacks_limits() {
        let d = digest(40, &"<Long & name>".repeat(30));
        let p = payload(&d, &Default::default());
        check_limits(&p).unwrap();
        let blocks = p["blocks"].as_array().unwrap();
        assert!(blocks.len() <= MAX_BLOCKS, "{}", blocks.len());
        let overflow = blocks
            .iter()
            .rev()
            .find(|b| b["type"] == "section")
            .unwrap();
        assert!(
            overflow["text"]["text"]
                .as_str()
                .unwrap()
                .starts_with("…and 25 more:"),
            "{overflow}"
        );
        for b in blocks {
            let t = b["text"]["text"].as_str().unwrap_or_default();
            assert!(!t.contains('<') || t.contains("<https://"), "escaped: {t}");
        }
        assert!(p["text"].as_str().unwrap().chars().count() <= MAX_TEXT);
    }

    #[test]
    fn limits_are_checked() {
        let too_many = json!({"blocks": vec![json!({"type": "divider"}); 51]});
        assert!(check_limits(&too_many).is_err());
        let long = json!({"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x".repeat(3001)}}]});
        assert!(check_limits(&long).is_err());
        let header = json!({"blocks": [{"type": "header", "text": {"type": "plain_text", "text": "x".repeat(151)}}]});
        assert!(check_limits(&header).is_err());
    }

    #[test]
    fn cutting_never_splits_a_link() {
        let text = format!("{}<https://x.example/a|label> tail", "a".repeat(2990));
        let cut = clip_mrkdwn(&text, MAX_SECTION_TEXT);
        assert!(cut.chars().count() <= MAX_SECTION_TEXT);
        assert!(!cut.contains('<'), "{}", &cut[2980..]);
        assert!(cut.ends_with('…'));
        assert_eq!(clip_mrkdwn("short <u|l>", 100), "short <u|l>");
    }

    #[test]
    fn campaigns_come_most_urgent_first_with_their_reasons() {
        use crate::metrics::Status;
        let mut d = digest(3, "c");
        let statuses = [Status::Done, Status::Overdue, Status::AtRisk];
        for (r, s) in d.reports.iter_mut().zip(statuses) {
            r.summary.forecast.status = s;
            r.view.verdict.headline = format!("{}: because {}", s.label(), r.summary.campaign.id);
        }
        let d = Digest::new(d.as_of, d.reports, d.report_url);
        let p = payload(&d, &Default::default());
        let sections: Vec<&str> = p["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["type"] == "section")
            .filter_map(|b| b["text"]["text"].as_str())
            .filter(|t| t.contains("because"))
            .collect();
        assert_eq!(sections.len(), 3);
        assert!(
            sections[0].contains("Overdue: because c1"),
            "{}",
            sections[0]
        );
        assert!(
            sections[1].contains("At risk: because c2"),
            "{}",
            sections[1]
        );
        assert!(sections[2].contains("Done: because c0"), "{}", sections[2]);
    }

    #[test]
    fn mrkdwn_escaping() {
        assert_eq!(
            escape("a <b> & <!channel>"),
            "a &lt;b&gt; &amp; &lt;!channel&gt;"
        );
        assert_eq!(
            escape("*bold* _it_ ~x~ `c`\nnext"),
            "*\u{200B}bold*\u{200B} _\u{200B}it_\u{200B} ~\u{200B}x~\u{200B} `\u{200B}c`\u{200B} next"
        );
    }
}
