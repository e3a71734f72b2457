//! PNG charts with plotters: the burndown of a campaign and its repositories with the most
//! open alerts. Text is drawn with DejaVu Sans embedded in the binary, so nothing depends on
//! fontconfig or installed fonts.

use crate::error::{Error, Result};
use crate::history::Source;
use crate::summary::Summary;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::Once;

/// Chart width in pixels.
pub const WIDTH: u32 = 1200;
/// Chart height in pixels.
pub const HEIGHT: u32 = 600;
/// At most this many repositories are drawn in `repos.png`.
pub const MAX_BARS: usize = 25;
/// The projection is drawn at most this far past T.
const MAX_PROJECTION_DAYS: i64 = 400;

const OPEN: RGBColor = RGBColor(214, 69, 65);
const CLOSED: RGBColor = RGBColor(46, 139, 87);
const PROJECTION: RGBColor = RGBColor(110, 110, 110);
const DUE: RGBColor = RGBColor(30, 30, 30);
const WEEK: RGBColor = RGBColor(120, 190, 140);
const GRID: RGBColor = RGBColor(225, 225, 225);

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

/// Draws into an RGB buffer and encodes it as PNG.
fn draw_png(
    chart: &str,
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<()>,
) -> Result<Vec<u8>> {
    ensure_font();
    let mut rgb = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_error(chart, e))?;
        draw(&root)?;
        root.present().map_err(|e| chart_error(chart, e))?;
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut w| w.write_image_data(&rgb))
        .map_err(|e| chart_error(chart, e))?;
    Ok(png)
}

/// Fractional days from `origin` (midnight) to `t`.
fn days(origin: NaiveDate, t: DateTime<Utc>) -> f64 {
    (t - crate::metrics::midnight(origin)).num_seconds() as f64 / 86_400.0
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// A grey note in the middle of an empty chart.
fn centered_note<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.draw(&Text::new(
        text,
        (WIDTH as i32 / 2, HEIGHT as i32 / 2),
        ("sans-serif", 26)
            .into_font()
            .color(&PROJECTION)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))
}

/// `burndown.png`: open and closed alerts over time (observed points filled, reconstructed
/// ones hollow and dashed), the projection from T to the projected completion, and the due
/// date as a vertical marker.
pub fn burndown(summary: &Summary) -> Result<Vec<u8>> {
    draw_png("burndown.png", |root| {
        let e = |err| chart_error("burndown.png", err);
        let mut points: Vec<(DateTime<Utc>, u64, u64, Source)> = summary
            .history
            .points
            .iter()
            .map(|p| (p.as_of, p.open, p.closed, p.source))
            .collect();
        if points.is_empty() {
            points.push((
                summary.as_of,
                summary.totals.open,
                summary.totals.closed,
                Source::Observed,
            ));
        }
        let first = points[0].0.date_naive();
        let t = summary.as_of;
        let due = summary.campaign.due_on;
        let projection = summary
            .forecast
            .projected_completion
            .filter(|_| summary.totals.open > 0);
        let horizon = t.date_naive() + Duration::days(MAX_PROJECTION_DAYS);
        let mut end = t.date_naive() + Duration::days(7);
        if let Some(d) = due {
            end = end.max(d + Duration::days(7));
        }
        if let Some(p) = projection {
            end = end.max(p.min(horizon) + Duration::days(7));
        }
        let x_end = (end - first).num_days() as f64;
        let y_top = points
            .iter()
            .map(|p| p.1.max(p.2))
            .chain([summary.totals.open, summary.totals.closed])
            .max()
            .unwrap_or(0)
            .max(4) as f64
            * 1.15;

        let span = x_end;
        let label = move |x: &f64| {
            let d = first + Duration::days(x.round() as i64);
            if span > 300.0 {
                d.format("%b %Y").to_string()
            } else {
                d.format("%b %d").to_string()
            }
        };
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!(
                    "{}: open and closed alerts",
                    shorten(&summary.campaign.name, 70)
                ),
                ("sans-serif", 28).into_font().style(FontStyle::Bold),
            )
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..x_end.max(1.0), 0f64..y_top)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_labels(10)
            .y_labels(8)
            .x_label_formatter(&label)
            .y_label_formatter(&|y| format!("{}", y.round() as i64))
            .x_desc("Date")
            .y_desc("Alerts")
            .axis_desc_style(("sans-serif", 18))
            .label_style(("sans-serif", 16))
            .light_line_style(GRID.mix(0.6))
            .bold_line_style(GRID)
            .draw()
            .map_err(e)?;

        let xy = |p: &(DateTime<Utc>, u64, u64, Source), open: bool| {
            (days(first, p.0), if open { p.1 } else { p.2 } as f64)
        };
        for (open, color, name) in [(true, OPEN, "open"), (false, CLOSED, "closed")] {
            // segments touching a reconstructed point are dashed
            for pair in points.windows(2) {
                let seg = vec![xy(&pair[0], open), xy(&pair[1], open)];
                let style = color.stroke_width(3);
                if pair[0].3 == Source::Reconstructed || pair[1].3 == Source::Reconstructed {
                    chart
                        .draw_series(DashedLineSeries::new(seg, 8, 6, style))
                        .map_err(e)?;
                } else {
                    chart.draw_series(LineSeries::new(seg, style)).map_err(e)?;
                }
            }
            chart
                .draw_series(
                    points
                        .iter()
                        .filter(|p| p.3 == Source::Observed)
                        .map(|p| Circle::new(xy(p, open), 5, color.filled())),
                )
                .map_err(e)?
                .label(format!("{name} (observed)"))
                .legend(move |(x, y)| Circle::new((x + 10, y), 5, color.filled()));
            if points.iter().any(|p| p.3 == Source::Reconstructed) {
                chart
                    .draw_series(
                        points
                            .iter()
                            .filter(|p| p.3 == Source::Reconstructed)
                            .flat_map(|p| {
                                // hollow: white inside, so the dashed line does not show through
                                [
                                    Circle::new(xy(p, open), 5, WHITE.filled()),
                                    Circle::new(xy(p, open), 5, color.stroke_width(2)),
                                ]
                            }),
                    )
                    .map_err(e)?
                    .label(format!("{name} (reconstructed)"))
                    .legend(move |(x, y)| Circle::new((x + 10, y), 5, color.stroke_width(2)));
            }
        }

        if let Some(p) = projection {
            let x0 = days(first, t);
            let y0 = summary.totals.open as f64;
            let x1 = (p - first).num_days() as f64;
            let (xe, ye) = if x1 > x_end {
                (x_end, y0 * (1.0 - (x_end - x0) / (x1 - x0)))
            } else {
                (x1, 0.0)
            };
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(x0, y0), (xe, ye)],
                    10,
                    8,
                    PROJECTION.stroke_width(2),
                ))
                .map_err(e)?
                .label(format!("projection: done {p}"))
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], PROJECTION.stroke_width(2))
                });
        }
        if let Some(d) = due {
            let x = (d - first).num_days() as f64;
            if (0.0..=x_end).contains(&x) {
                chart
                    .draw_series(LineSeries::new(
                        vec![(x, 0.0), (x, y_top)],
                        DUE.stroke_width(2),
                    ))
                    .map_err(e)?
                    .label(format!("due {d}"))
                    .legend(|(x, y)| {
                        PathElement::new(
                            vec![(x + 10, y - 8), (x + 10, y + 8)],
                            DUE.stroke_width(2),
                        )
                    });
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(("sans-serif", 16))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(e)?;

        if summary.totals.total == 0 {
            centered_note(root, "No alerts in this campaign").map_err(e)?;
        }
        Ok(())
    })
}

/// `repos.png`: horizontal bars of open alerts for the top repositories, with the alerts
/// resolved this week drawn after them in a lighter colour.
pub fn repos(summary: &Summary) -> Result<Vec<u8>> {
    draw_png("repos.png", |root| {
        let e = |err| chart_error("repos.png", err);
        let repos: Vec<_> = summary.repos.top.iter().take(MAX_BARS).collect();
        let n = repos.len();
        let x_max = repos
            .iter()
            .map(|r| r.open + r.resolved_this_week)
            .max()
            .unwrap_or(0)
            .max(4) as f64
            * 1.12;
        let title = if summary.repos.top.len() > n {
            format!(
                "Open alerts: top {n} of {} repositories",
                summary.repos.top.len()
            )
        } else {
            "Open alerts by repository".to_string()
        };
        let names: Vec<String> = repos.iter().map(|r| shorten(&r.repo, 34)).collect();
        let rows = n.max(1) as f64;
        let label = move |y: &f64| {
            let i = y.round();
            if (y - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            // row 0 is at the top
            let idx = n as i64 - 1 - i as i64;
            usize::try_from(idx)
                .ok()
                .and_then(|k| names.get(k).cloned())
                .unwrap_or_default()
        };
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 28).into_font().style(FontStyle::Bold))
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(300)
            .build_cartesian_2d(0f64..x_max, -0.5f64..rows - 0.5)
            .map_err(e)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n.max(1) * 2 + 1)
            .y_label_formatter(&label)
            .x_labels(8)
            .x_label_formatter(&|x| format!("{}", x.round() as i64))
            .x_desc("Alerts")
            .axis_desc_style(("sans-serif", 18))
            .label_style(("sans-serif", if n > 15 { 13 } else { 16 }))
            .light_line_style(GRID.mix(0.6))
            .bold_line_style(GRID)
            .draw()
            .map_err(e)?;
        let half = 0.34;
        let row = |k: usize| (n - 1 - k) as f64;
        chart
            .draw_series(repos.iter().enumerate().map(|(k, r)| {
                Rectangle::new(
                    [(0.0, row(k) - half), (r.open as f64, row(k) + half)],
                    OPEN.filled(),
                )
            }))
            .map_err(e)?
            .label("open")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], OPEN.filled()));
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
            .map_err(e)?
            .label("resolved this week")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], WEEK.filled()));
        if n <= 15 {
            chart
                .draw_series(repos.iter().enumerate().map(|(k, r)| {
                    Text::new(
                        format!("{}", r.open),
                        (
                            (r.open + r.resolved_this_week) as f64 + x_max * 0.01,
                            row(k),
                        ),
                        ("sans-serif", 15)
                            .into_font()
                            .color(&BLACK)
                            .pos(Pos::new(HPos::Left, VPos::Center)),
                    )
                }))
                .map_err(e)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font(("sans-serif", 16))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(e)?;
        if n == 0 {
            centered_note(root, "No open alerts").map_err(e)?;
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
