//! The remediation playbooks' pages.

use super::*;
use crate::error::Result;
use crate::site::Site;
use serde::Serialize;

impl Templates {
    /// Renders `OUT/playbooks/`: each playbook's page in HTML and Markdown, and the index of
    /// them, as (file name, text).
    pub fn playbook_pages(
        &self,
        catalogue: &crate::playbooks::Catalogue,
        escalation: &[crate::config::EscalationRule],
        site: &Site,
    ) -> Result<Vec<(String, String)>> {
        #[derive(Serialize)]
        struct Rule<'a> {
            name: &'a str,
            when: &'a str,
            after: &'a str,
            notify: &'a [String],
            contacts: &'a [String],
        }
        #[derive(Serialize)]
        struct Entry<'a> {
            id: &'a str,
            title: &'a str,
            grants: &'a str,
            experts: Vec<String>,
        }
        let rules: Vec<Rule<'_>> = escalation
            .iter()
            .map(|r| Rule {
                name: &r.name,
                when: &r.when_text,
                after: &r.after_text,
                notify: &r.notify,
                contacts: &r.contacts,
            })
            .collect();
        let mut out = Vec::new();
        let mut entries = Vec::new();
        for p in catalogue.all() {
            let experts = catalogue.experts_of(p);
            let mut ctx = tera::Context::new();
            ctx.insert("p", p);
            ctx.insert("checklist", &crate::playbooks::checklist(p));
            ctx.insert("experts", &experts);
            ctx.insert("escalations", &rules);
            ctx.insert("home", &site.reports);
            out.push((
                format!("{}.html", p.id),
                Templates::render(&self.html, PLAYBOOK_HTML_TEMPLATE, &ctx)?,
            ));
            out.push((
                format!("{}.md", p.id),
                Templates::render(&self.markdown, PLAYBOOK_MARKDOWN_TEMPLATE, &ctx)?,
            ));
            entries.push(Entry {
                id: &p.id,
                title: &p.title,
                grants: &p.grants,
                experts,
            });
        }
        let mut ctx = tera::Context::new();
        ctx.insert("playbooks", &entries);
        ctx.insert("home", &site.reports);
        out.push((
            crate::layout::INDEX_HTML.into(),
            Templates::render(&self.html, PLAYBOOKS_HTML_TEMPLATE, &ctx)?,
        ));
        out.push((
            "index.md".into(),
            Templates::render(&self.markdown, PLAYBOOKS_MARKDOWN_TEMPLATE, &ctx)?,
        ));
        Ok(out)
    }
}
