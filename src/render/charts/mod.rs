//! PNG charts with plotters: the burndown of a campaign and its repositories with the most
//! open alerts. Text is drawn with DejaVu Sans embedded in the binary, so nothing depends on
//! fontconfig or installed fonts.

use crate::error::{Error, Result};
use crate::history::Source;
use crate::summary::Summary;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::Once;

/// Chart width in pixels: sharp at 400 CSS pixels on a phone's screen and readable in a
/// 600-pixel mail column.
pub const WIDTH: u32 = 800;
/// Chart height in pixels.
pub const HEIGHT: u32 = 500;
/// At most this many repositories are drawn in `repos.png`.
pub const MAX_BARS: usize = 25;
/// A due date further than this past T is drawn off the edge.
const MAX_PROJECTION_DAYS: i64 = 400;
/// Height of the title band (title and verdict) and of the legend band below the plot.
const TITLE_H: u32 = 66;
const LEGEND_H: u32 = 72;

const OPEN: RGBColor = RGBColor(207, 34, 46);
const CLOSED: RGBColor = RGBColor(26, 127, 55);
const TOTAL: RGBColor = RGBColor(140, 149, 159);
const PROJECTION: RGBColor = RGBColor(87, 96, 106);
const NEEDED: RGBColor = RGBColor(9, 105, 218);
const DUE: RGBColor = RGBColor(31, 35, 40);
const WEEK: RGBColor = RGBColor(116, 196, 118);
const GRID: RGBColor = RGBColor(225, 225, 225);
const INK: RGBColor = RGBColor(31, 35, 40);
const SUBTLE: RGBColor = RGBColor(89, 99, 110);

static FONT: Once = Once::new();

fn ensure_font() {
    FONT.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            let bytes = match style {
                FontStyle::Bold => dejavu::sans::bold(),
                _ => dejavu::sans::regular(),
            };
            if plotters::style::register_font("sans-serif", style, bytes).is_err() {
                tracing::warn!("the embedded chart font could not be loaded");
            }
        }
    });
}

fn chart_error(chart: &str, e: impl std::fmt::Display) -> Error {
    Error::Chart(format!("cannot draw {chart}: {e}"))
}

mod burndown;
#[cfg(test)]
use burndown::burndown_subtitle;
pub use burndown::{burndown, burndown_email};

/// Size of the email's burndown: drawn smaller, with the same type sizes, so that text and
/// marks stay readable where an email shows it (about 350 pixels wide on a phone).
pub const EMAIL_SIZE: (u32, u32) = (600, 440);

/// Draws into an RGB buffer of the usual size and encodes it as PNG.
fn draw_png(
    chart: &str,
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<()>,
) -> Result<Vec<u8>> {
    draw_png_sized(chart, (WIDTH, HEIGHT), draw)
}

/// Draws into an RGB buffer of `(width, height)` and encodes it as PNG.
fn draw_png_sized(
    chart: &str,
    (width, height): (u32, u32),
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<()>,
) -> Result<Vec<u8>> {
    ensure_font();
    let mut rgb = vec![255u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_error(chart, e))?;
        draw(&root)?;
        root.present().map_err(|e| chart_error(chart, e))?;
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // zlib level 3: on these charts 7% less CPU for the whole run than the default level 6,
    // for files 2% larger (level 1 would make them 29% larger)
    encoder.set_deflate_compression(png::DeflateCompression::Level(3));
    encoder
        .write_header()
        .and_then(|mut w| w.write_image_data(&rgb))
        .map_err(|e| chart_error(chart, e))?;
    Ok(png)
}

/// A date `n` days later, saturating at the ends of the calendar.
fn plus_days(d: NaiveDate, n: i64) -> NaiveDate {
    Duration::try_days(n)
        .and_then(|delta| d.checked_add_signed(delta))
        .unwrap_or(if n < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
}

/// Fractional days from `origin` (midnight) to `t`.
fn days(origin: NaiveDate, t: DateTime<Utc>) -> f64 {
    (t - crate::time::midnight(origin)).num_seconds() as f64 / 86_400.0
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// The title band: `title` is a name that may be cut and `tail` what follows it and is always
/// shown (the verdict); the subtitle is cut at the band's width. Both are measured in the
/// font they are drawn in.
fn title_band(area: &Area<'_>, (title, tail): (&str, &str), subtitle: &str) -> Result<()> {
    let room = area.dim_in_pixel().0.saturating_sub(40);
    let font = ("sans-serif", 26)
        .into_font()
        .style(FontStyle::Bold)
        .color(&INK);
    let head = fitted(area, title, tail, &font, room)?;
    area.draw(&Text::new(head, (20, 10), font))
        .map_err(|err| chart_error("a chart title", err))?;
    let font = ("sans-serif", 18).into_font().color(&SUBTLE);
    let text = fitted(area, subtitle, "", &font, room)?;
    area.draw(&Text::new(text, (20, 42), font))
        .map_err(|err| chart_error("a chart title", err))
}

/// `text` cut (with an ellipsis) until `text` + `tail` is at most `room` pixels wide.
fn fitted(
    area: &Area<'_>,
    text: &str,
    tail: &str,
    font: &TextStyle<'_>,
    room: u32,
) -> Result<String> {
    let e = |err| chart_error("a chart title", err);
    // no chart is wide enough for more than 120 characters
    let mut keep = text.chars().count().min(120);
    let mut out = format!("{}{tail}", shorten(text, keep));
    while keep > 1 && area.estimate_text_size(&out, font).map_err(e)?.0 > room {
        keep -= 1;
        out = format!("{}{tail}", shorten(text, keep));
    }
    Ok(out)
}

/// How a series looks in the legend.
#[derive(Clone, Copy)]
enum Mark {
    /// A line, dashed or not, with an optional marker (filled or hollow).
    Line(RGBColor, bool, Option<(Marker, bool)>),
    /// A vertical rule.
    Rule(RGBColor),
    /// A filled box.
    Bar(RGBColor),
}

/// Marker shapes: open and closed differ by shape, not only by colour.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Marker {
    Circle,
    Square,
}

/// Draws a marker at a pixel position, filled (observed) or hollow (reconstructed).
fn draw_marker(
    area: &Area<'_>,
    shape: Marker,
    at: (i32, i32),
    color: RGBColor,
    filled: bool,
) -> Result<()> {
    let e = |err| chart_error("a chart marker", err);
    let fill = if filled {
        color.filled()
    } else {
        WHITE.filled()
    };
    let edge = color.stroke_width(2);
    match shape {
        Marker::Circle => {
            area.draw(&Circle::new(at, 6, fill)).map_err(e)?;
            area.draw(&Circle::new(at, 6, edge)).map_err(e)
        }
        Marker::Square => {
            let corners = [(at.0 - 5, at.1 - 5), (at.0 + 5, at.1 + 5)];
            area.draw(&Rectangle::new(corners, fill)).map_err(e)?;
            area.draw(&Rectangle::new(corners, edge)).map_err(e)
        }
    }
}

/// The legend band below the plot: entries in rows, never over the data.
fn legend_band(area: &Area<'_>, entries: &[(Mark, String)]) -> Result<()> {
    let e = |err| chart_error("a chart legend", err);
    let font = ("sans-serif", 19).into_font().color(&INK);
    let (width, _) = area.dim_in_pixel();
    let (mut x, mut y) = (20i32, 12i32);
    for (mark, label) in entries {
        let (tw, _) = area.estimate_text_size(label, &font).map_err(e)?;
        let w = 34 + tw as i32 + 22;
        if x > 20 && x + w > width as i32 - 10 {
            x = 20;
            y += 29;
        }
        let mid = y + 10;
        match *mark {
            Mark::Line(color, dashed, m) => {
                let style = color.stroke_width(3);
                if dashed {
                    for k in 0..3 {
                        area.draw(&PathElement::new(
                            vec![(x + k * 10, mid), (x + k * 10 + 6, mid)],
                            style,
                        ))
                        .map_err(e)?;
                    }
                } else {
                    area.draw(&PathElement::new(vec![(x, mid), (x + 28, mid)], style))
                        .map_err(e)?;
                }
                if let Some((m, filled)) = m {
                    draw_marker(area, m, (x + 14, mid), color, filled)?;
                }
            }
            Mark::Rule(color) => {
                area.draw(&PathElement::new(
                    vec![(x + 14, mid - 9), (x + 14, mid + 9)],
                    color.stroke_width(3),
                ))
                .map_err(e)?;
            }
            Mark::Bar(color) => {
                area.draw(&Rectangle::new(
                    [(x + 4, mid - 7), (x + 24, mid + 7)],
                    color.filled(),
                ))
                .map_err(e)?;
            }
        }
        area.draw(&Text::new(label.clone(), (x + 34, y), font.clone()))
            .map_err(e)?;
        x += w;
    }
    Ok(())
}

/// A grey note in the middle of an area.
fn centered_note(area: &Area<'_>, text: &str) -> Result<()> {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        text,
        (w as i32 / 2, h as i32 / 2),
        ("sans-serif", 24)
            .into_font()
            .color(&SUBTLE)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .map_err(|e| chart_error("a chart note", e))
}

/// Splits the image into the title band, the plot and the legend band.
fn bands<'a>(root: &Area<'a>) -> (Area<'a>, Area<'a>, Area<'a>) {
    let (width, height) = root.dim_in_pixel();
    // a narrow chart's legend takes a third row
    let legend_h = if width < WIDTH {
        LEGEND_H + 29
    } else {
        LEGEND_H
    };
    let (top, rest) = root.split_vertically(TITLE_H);
    let (plot, legend) = rest.split_vertically(height - TITLE_H - legend_h);
    (top, plot, legend)
}

/// `trend.png` of the overview: the organization's open alerts each week, default and generic
/// results apart (observed points filled, reconstructed ones hollow).
pub fn trend(o: &crate::overview::Overview) -> Result<Vec<u8>> {
    draw_png("trend.png", |root| {
        let e = |err| chart_error("trend.png", err);
        let (top, plot, legend) = bands(root);
        let last = o.trend.last();
        title_band(
            &top,
            (&format!("Open alerts in {}", shorten(&o.org, 40)), ""),
            &match last {
                Some(p) => format!(
                    "{} default and {} generic as of {}",
                    p.default,
                    p.generic,
                    p.as_of.format("%Y-%m-%d")
                ),
                None => "no week recorded yet".to_string(),
            },
        )?;
        let Some(first) = o.trend.first().map(|p| p.as_of.date_naive()) else {
            return centered_note(&plot, "No week recorded yet");
        };
        let x_end = (days(first, o.as_of) + 7.0).max(1.0);
        let y_top = o
            .trend
            .iter()
            .map(|p| p.default.max(p.generic))
            .max()
            .unwrap_or(0)
            .max(4) as f64
            * 1.12;
        let label = move |x: &f64| {
            plus_days(first, x.round() as i64)
                .format("%b %-d")
                .to_string()
        };
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(14)
            .margin_right(34)
            .margin_top(8)
            .margin_bottom(4)
            .x_label_area_size(38)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..x_end, 0f64..y_top)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_labels(7)
            .y_labels(6)
            .x_label_formatter(&label)
            .y_label_formatter(&|y| format!("{}", y.round() as i64))
            .label_style(("sans-serif", 20).into_font().color(&INK))
            .max_light_lines(0)
            .bold_line_style(GRID)
            .draw()
            .map_err(e)?;
        for (color, shape, default) in [
            (OPEN, Marker::Circle, true),
            (NEEDED, Marker::Square, false),
        ] {
            let y = |p: &crate::overview::TrendPoint| if default { p.default } else { p.generic } as f64;
            let line: Vec<(f64, f64)> = o
                .trend
                .iter()
                .map(|p| (days(first, p.as_of), y(p)))
                .collect();
            chart
                .draw_series(LineSeries::new(line, color.stroke_width(3)))
                .map_err(e)?;
            for p in &o.trend {
                let px = chart.backend_coord(&(days(first, p.as_of), y(p)));
                draw_marker(root, shape, px, color, p.source == Source::Observed)?;
            }
        }
        legend_band(
            &legend,
            &[
                (
                    Mark::Line(OPEN, false, Some((Marker::Circle, true))),
                    "default patterns".to_string(),
                ),
                (
                    Mark::Line(NEEDED, false, Some((Marker::Square, true))),
                    "generic patterns".to_string(),
                ),
                (
                    Mark::Line(SUBTLE, false, Some((Marker::Circle, false))),
                    "reconstructed".to_string(),
                ),
            ],
        )
    })
}

/// `repos.png`: horizontal bars of open alerts for the top repositories, with the alerts
/// closed this week drawn after them in a lighter colour; each name sits beside its bar.
pub fn repos(summary: &Summary) -> Result<Vec<u8>> {
    draw_png("repos.png", |root| {
        let e = |err| chart_error("repos.png", err);
        let (top, plot, legend) = bands(root);
        let repos: Vec<_> = summary.repos.top.iter().take(MAX_BARS).collect();
        let n = repos.len();
        let drawn_open: u64 = repos.iter().map(|r| r.open).sum();
        let open = summary.totals.open;
        title_band(
            &top,
            (&summary.campaign.name, ": open alerts by repository"),
            &if drawn_open < open {
                format!(
                    "the {n} repositor{} with the most: {drawn_open} of {open} open alerts",
                    if n == 1 { "y" } else { "ies" }
                )
            } else {
                format!(
                    "{open} open alert{} in {n} repositor{}",
                    if open == 1 { "" } else { "s" },
                    if n == 1 { "y" } else { "ies" }
                )
            },
        )?;
        let x_max = repos
            .iter()
            .map(|r| r.open + r.resolved_this_week)
            .max()
            .unwrap_or(0)
            .max(4) as f64
            // room after the longest bar for its label (`2 (+1 closed)` is the longer kind)
            * if repos.iter().any(|r| r.resolved_this_week > 0) {
                1.35
            } else {
                1.15
            };
        let rows = n.max(1) as f64;
        let font_px = if n > 15 { 13 } else { 19 };
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(14)
            .margin_right(30)
            .margin_top(8)
            .margin_bottom(4)
            .x_label_area_size(36)
            .y_label_area_size(250)
            .build_cartesian_2d(0f64..x_max, -0.5f64..rows - 0.5)
            .map_err(e)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&|x| format!("{}", x.round() as i64))
            .label_style(("sans-serif", 20).into_font().color(&INK))
            .max_light_lines(0)
            .bold_line_style(GRID)
            .draw()
            .map_err(e)?;
        let half = 0.34;
        // row 0 is at the top
        let row = |k: usize| (n - 1 - k) as f64;
        chart
            .draw_series(repos.iter().enumerate().map(|(k, r)| {
                Rectangle::new(
                    [(0.0, row(k) - half), (r.open as f64, row(k) + half)],
                    OPEN.filled(),
                )
            }))
            .map_err(e)?;
        chart
            .draw_series(
                repos
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.resolved_this_week > 0)
                    .map(|(k, r)| {
                        Rectangle::new(
                            [
                                (r.open as f64, row(k) - half),
                                ((r.open + r.resolved_this_week) as f64, row(k) + half),
                            ],
                            WEEK.filled(),
                        )
                    }),
            )
            .map_err(e)?;
        let font = ("sans-serif", font_px).into_font().color(&INK);
        for (k, r) in repos.iter().enumerate() {
            // the name right-aligned against the axis, at its bar's centre
            let (x, y) = chart.backend_coord(&(0.0, row(k)));
            // backend_coord is in the whole image's pixels: draw on the root
            root.draw(&Text::new(
                shorten(&r.repo, 28),
                (x - 8, y),
                font.clone().pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(e)?;
            if n <= 15 {
                let (x, y) = chart.backend_coord(&((r.open + r.resolved_this_week) as f64, row(k)));
                // the open count, and this week's closures that the bar adds to it
                let text = if r.resolved_this_week > 0 {
                    format!("{} (+{} closed)", r.open, r.resolved_this_week)
                } else {
                    format!("{}", r.open)
                };
                root.draw(&Text::new(
                    text,
                    (x + 6, y),
                    font.clone().pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(e)?;
            }
        }
        // only what the chart draws
        let mut entries = vec![(Mark::Bar(OPEN), "open".to_string())];
        if repos.iter().any(|r| r.resolved_this_week > 0) {
            entries.push((Mark::Bar(WEEK), "closed this week".to_string()));
        }
        legend_band(&legend, &entries)?;
        if n == 0 {
            centered_note(&plot, "No open alerts")?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RiskSettings;
    use crate::history::{HistoryView, Point};
    use crate::render::tests::sample;

    /// Decodes a PNG and returns (width, height, share of non-white pixels, distinct colours).
    fn inspect(png: &[u8]) -> (u32, u32, f64, usize) {
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().expect("a valid PNG");
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).expect("a frame");
        let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(3).collect();
        let ink = pixels.iter().filter(|p| **p != [255u8, 255, 255]).count();
        let colours: std::collections::HashSet<&[u8]> = pixels.iter().copied().collect();
        (
            info.width,
            info.height,
            ink as f64 / pixels.len() as f64,
            colours.len(),
        )
    }

    /// The burndown's subtitle is read whole: it fits the title band and keeps the date the
    /// verdict rests on.
    #[test]
    fn the_burndown_subtitle_keeps_the_projected_date() {
        let s = sample("Azure", "acme/web", 3, 12, &RiskSettings::default());
        let subtitle = burndown_subtitle(&s);
        assert!(subtitle.chars().count() <= 78, "{subtitle}");
        assert!(
            subtitle.starts_with(&format!(
                "{} open · due 2026-12-31, in 38 days",
                s.totals.open
            )),
            "{subtitle}"
        );
        let p = s.forecast.projected_completion.expect("a projection");
        assert!(
            subtitle.ends_with(&format!("at this pace done {p}")),
            "{subtitle}"
        );
    }

    /// A long campaign name is cut, never the verdict after it.
    #[test]
    fn a_long_title_keeps_its_verdict() {
        ensure_font();
        let (w, h) = EMAIL_SIZE;
        let mut rgb = vec![255u8; (w * h * 3) as usize];
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        let font = ("sans-serif", 26)
            .into_font()
            .style(FontStyle::Bold)
            .color(&INK);
        let name = "Passwords and private keys in code, every repository of the platform";
        let title = fitted(&root, name, " — On track", &font, w - 40).unwrap();
        assert!(title.ends_with("… — On track"), "{title}");
        assert!(title.starts_with("Passwords and"), "{title}");
        assert!(root.estimate_text_size(&title, &font).unwrap().0 <= w - 40);
        // a name that fits is left whole
        let title = fitted(&root, "AWS keys", " — Overdue", &font, w - 40).unwrap();
        assert_eq!(title, "AWS keys — Overdue");
    }

    /// The email's burndown is drawn smaller with the same type sizes: readable at the
    /// width an email shows it.
    #[test]
    fn the_email_burndown_is_smaller_and_drawn() {
        let s = sample("Azure", "acme/web", 3, 12, &RiskSettings::default());
        let (w, h, ink, colours) = inspect(&burndown_email(&s).unwrap());
        assert_eq!((w, h), EMAIL_SIZE);
        assert!(ink > 0.03 && colours > 4, "{ink} {colours}");
    }

    fn assert_drawn(png: &[u8], what: &str) {
        // CHART_SAMPLES=DIR keeps the images for a person to look at
        if let Some(dir) = std::env::var_os("CHART_SAMPLES") {
            std::fs::write(std::path::Path::new(&dir).join(format!("{what}.png")), png).unwrap();
        }
        let (w, h, ink, colours) = inspect(png);
        assert_eq!((w, h), (WIDTH, HEIGHT), "{what}");
        assert!(ink > 0.01, "{what}: almost empty ({ink})");
        assert!(
            colours > 20,
            "{what}: text and lines are antialiased ({colours} colours)"
        );
    }

    #[test]
    fn charts_of_a_typical_campaign() {
        let s = sample("Typical", "acme/web", 12, 5, &RiskSettings::default());
        assert_drawn(&burndown(&s).unwrap(), "typical burndown");
        assert_drawn(&repos(&s).unwrap(), "typical repos");
    }

    #[test]
    fn charts_with_one_point() {
        let mut s = sample("One point", "acme/web", 2, 3, &RiskSettings::default());
        s.history = HistoryView {
            previous: None,
            points: vec![Point {
                as_of: s.as_of,
                open: s.totals.open,
                closed: s.totals.closed,
                source: Source::Observed,
                status: None,
            }],
        };
        assert_drawn(&burndown(&s).unwrap(), "one-point burndown");
        s.history.points.clear();
        assert_drawn(&burndown(&s).unwrap(), "burndown without history");
    }

    #[test]
    fn charts_with_zero_alerts() {
        let mut s = sample("Empty", "acme/web", 0, 0, &RiskSettings::default());
        s.history.points.truncate(1);
        s.history.points[0].open = 0;
        s.history.points[0].closed = 0;
        assert_eq!(s.totals.total, 0);
        assert_drawn(&burndown(&s).unwrap(), "empty burndown");
        assert_drawn(&repos(&s).unwrap(), "empty repos");
    }

    #[test]
    fn charts_with_500_repositories_and_a_far_projection() {
        let risk = RiskSettings {
            top_repos: 500,
            ..RiskSettings::default()
        };
        let mut s = sample(
            "Big",
            "acme/a-very-long-repository-name-that-goes-on-and-on",
            500,
            2,
            &risk,
        );
        assert_eq!(s.repos.top.len(), 500);
        s.forecast.projected_completion = Some(s.as_of.date_naive() + Duration::days(3000));
        assert_drawn(&burndown(&s).unwrap(), "big burndown");
        assert_drawn(&repos(&s).unwrap(), "big repos");
    }
}
