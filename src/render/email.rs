//! The weekly email's HTML and text parts, and the escalation email.

use super::*;
use crate::error::Result;
use crate::summary::Summary;
use chrono::NaiveDate;
use serde::Serialize;

/// What the email templates get (see `templates/email.html.tera`).
#[derive(Debug, Serialize)]
pub struct EmailContext<'a> {
    /// The subject line.
    pub subject: &'a str,
    /// Date of T.
    pub as_of: NaiveDate,
    /// The reporting week: `week to 2026-11-23 (Nov 16–22)`.
    pub week: &'a str,
    /// `1 overdue, 2 at risk, 1 on track`.
    pub counts: &'a str,
    /// Where the reports are published, if they are.
    pub home: Option<&'a str>,
    /// At-risk alerts listed per campaign.
    pub shown: usize,
    /// Every campaign, most urgent first.
    pub reports: Vec<EmailItem<'a>>,
    /// What the digest lacks (organizations of a roll-up not read), in words.
    pub unread: &'a [String],
    /// How many campaigns, the first ones, get a card of their own (the table lists all):
    /// fewer when every card would make the HTML part longer than Gmail shows.
    pub detailed: usize,
}

/// One campaign of the email.
#[derive(Debug, Serialize)]
pub struct EmailItem<'a> {
    /// summary.json.
    pub s: &'a Summary,
    /// Derived values.
    pub v: &'a ReportView,
}

impl Templates {
    /// Renders the email's HTML and plain-text parts.
    pub fn email(&self, email: &EmailContext<'_>) -> Result<(String, String)> {
        let ctx =
            tera::Context::from_serialize(email).map_err(|e| template_error(EMAIL_TEMPLATE, &e))?;
        Ok((
            Templates::render(&self.html, EMAIL_TEMPLATE, &ctx)?,
            Templates::render(&self.html, EMAIL_TEXT_TEMPLATE, &ctx)?,
        ))
    }

    /// Renders the escalation email's HTML and plain-text parts.
    pub fn escalation_email(
        &self,
        alarm: &crate::render::alarm::Alarm,
        shown: usize,
    ) -> Result<(String, String)> {
        let mut ctx = tera::Context::new();
        ctx.insert("a", alarm);
        ctx.insert("subject", &alarm.subject());
        ctx.insert("shown", &shown);
        Ok((
            Templates::render(&self.html, ESCALATION_TEMPLATE, &ctx)?,
            Templates::render(&self.html, ESCALATION_TEXT_TEMPLATE, &ctx)?,
        ))
    }
}
