//! `burndown.png`: the campaign over time, with the projection and the due date.

use super::*;

/// The burndown's subtitle: the numbers its verdict rests on, short enough to be read whole
/// (the open count, the due date, and the projected date at this pace).
pub(super) fn burndown_subtitle(summary: &Summary) -> String {
    let f = &summary.forecast;
    let open = summary.totals.open;
    let mut parts = vec![format!("{open} open")];
    if let Some(due) = summary.campaign.due_on {
        parts.push(match f.days_to_due {
            Some(d) if d < 0 => format!("due {due}, {} days ago", -d),
            Some(0) => format!("due {due}, today"),
            Some(d) => format!("due {due}, in {d} days"),
            None => format!("due {due}"),
        });
    }
    if open > 0 {
        parts.push(match f.projected_completion {
            Some(p) => format!("at this pace done {p}"),
            None => "at this pace never done".to_string(),
        });
    }
    parts.join(" · ")
}

/// `burndown.png`: open, closed and total alerts over time (observed points filled,
/// reconstructed ones hollow and dashed; open as circles, closed as squares), the projection
/// at the current net pace, the pace needed to finish by the due date, and the due date. The
/// title states the verdict; the legend sits below the plot.
pub fn burndown(summary: &Summary) -> Result<Vec<u8>> {
    burndown_sized(summary, (WIDTH, HEIGHT), false)
}

/// The burndown as the email shows it (about 350 px wide on a phone): [`EMAIL_SIZE`], the same
/// type sizes, and fewer elements — no total-in-scope line, a marker only at T, fewer ticks.
pub fn burndown_email(summary: &Summary) -> Result<Vec<u8>> {
    burndown_sized(summary, EMAIL_SIZE, true)
}

fn burndown_sized(summary: &Summary, size: (u32, u32), compact: bool) -> Result<Vec<u8>> {
    draw_png_sized("burndown.png", size, |root| {
        let e = |err| chart_error("burndown.png", err);
        let (top, plot, legend) = bands(root);
        title_band(
            &top,
            (
                &summary.campaign.name,
                &format!(" — {}", summary.forecast.status.label()),
            ),
            &burndown_subtitle(summary),
        )?;

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
        let today = t.date_naive();
        let open = summary.totals.open;
        let due = summary.campaign.due_on;
        let projection = summary.forecast.projected_completion.filter(|_| open > 0);
        let net_per_day = summary
            .forecast
            .net_burn_rate_per_week
            .unwrap_or(summary.forecast.burn_rate_per_week)
            / 7.0;
        // The chart ends two weeks after the due date (or eight weeks after T without one);
        // a projected finish up to half a year later stretches it, a later one runs off the edge.
        let horizon = plus_days(today, MAX_PROJECTION_DAYS);
        let mut end = match due {
            Some(d) => plus_days(today, 14).max(plus_days(d.min(horizon), 14)),
            None if open > 0 => plus_days(today, 56),
            None => plus_days(today, 14),
        };
        if let Some(p) = projection
            && p <= plus_days(end, 182)
        {
            end = end.max(plus_days(p, 7));
        }
        let x_end = ((end - first).num_days() as f64).max(1.0);
        let x_t = days(first, t);
        // the projection at the net pace, cut at the edge of the chart
        let projected: Option<((f64, f64), (f64, f64))> = (open > 0).then(|| {
            let y0 = open as f64;
            match projection {
                Some(p) => {
                    let x1 = (p - first).num_days() as f64;
                    if x1 > x_end {
                        ((x_t, y0), (x_end, y0 * (1.0 - (x_end - x_t) / (x1 - x_t))))
                    } else {
                        ((x_t, y0), (x1, 0.0))
                    }
                }
                None => ((x_t, y0), (x_end, y0 - net_per_day * (x_end - x_t))),
            }
        });
        let needed = match due {
            Some(d) if d > today && open > 0 => {
                Some(((x_t, open as f64), ((d - first).num_days() as f64, 0.0)))
            }
            _ => None,
        };
        let y_top = points
            .iter()
            .map(|p| (p.1 + p.2) as f64)
            .chain([summary.totals.total as f64])
            .chain(projected.map(|(_, b)| b.1))
            .fold(4.0f64, f64::max)
            * 1.12;

        let span = x_end;
        // a chart that crosses a new year says which year each date is in
        let years = first.year() != end.year();
        let label = move |x: &f64| {
            let d = plus_days(first, x.round() as i64);
            if span > 300.0 {
                d.format("%b %Y").to_string()
            } else if years {
                d.format("%b %-d '%y").to_string()
            } else {
                d.format("%b %-d").to_string()
            }
        };
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(14)
            .margin_right(34)
            .margin_top(8)
            .margin_bottom(4)
            .x_label_area_size(38)
            .y_label_area_size(74)
            .build_cartesian_2d(0f64..x_end, 0f64..y_top)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_labels(if compact { 5 } else { 7 })
            .y_labels(if compact { 4 } else { 6 })
            .x_label_formatter(&label)
            .y_label_formatter(&|y| format!("{}", y.round() as i64))
            .y_desc("alerts")
            .axis_desc_style(("sans-serif", 18).into_font().color(&INK))
            .label_style(("sans-serif", 20).into_font().color(&INK))
            .max_light_lines(0)
            .bold_line_style(GRID)
            .draw()
            .map_err(e)?;

        let at = |p: &(DateTime<Utc>, u64, u64, Source), y: u64| (days(first, p.0), y as f64);
        // total in scope: what the open line would be if nothing had been closed
        if !compact {
            chart
                .draw_series(LineSeries::new(
                    points.iter().map(|p| at(p, p.1 + p.2)),
                    TOTAL.stroke_width(2),
                ))
                .map_err(e)?;
        }
        if let Some((a, b)) = needed {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![a, b],
                    3,
                    6,
                    NEEDED.stroke_width(3),
                ))
                .map_err(e)?;
        }
        if let Some((a, b)) = projected {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![a, b],
                    12,
                    8,
                    PROJECTION.stroke_width(3),
                ))
                .map_err(e)?;
        }
        if let Some(d) = due {
            let x = (d - first).num_days() as f64;
            if (0.0..=x_end).contains(&x) {
                chart
                    .draw_series(LineSeries::new(
                        vec![(x, 0.0), (x, y_top)],
                        DUE.stroke_width(2),
                    ))
                    .map_err(e)?;
            }
        }
        for (color, shape, pick) in [
            (CLOSED, Marker::Square, 2usize),
            (OPEN, Marker::Circle, 1usize),
        ] {
            let y = |p: &(DateTime<Utc>, u64, u64, Source)| if pick == 1 { p.1 } else { p.2 };
            for pair in points.windows(2) {
                let seg = vec![at(&pair[0], y(&pair[0])), at(&pair[1], y(&pair[1]))];
                let style = color.stroke_width(3);
                if pair[0].3 == Source::Reconstructed || pair[1].3 == Source::Reconstructed {
                    chart
                        .draw_series(DashedLineSeries::new(seg, 8, 6, style))
                        .map_err(e)?;
                } else {
                    chart.draw_series(LineSeries::new(seg, style)).map_err(e)?;
                }
            }
            // the compact chart marks only where the lines are now
            let marked = if compact {
                &points[points.len() - 1..]
            } else {
                &points[..]
            };
            for p in marked {
                let px = chart.backend_coord(&at(p, y(p)));
                // backend_coord is in the whole image's pixels: draw on the root
                draw_marker(root, shape, px, color, p.3 == Source::Observed)?;
            }
        }

        let mut entries = vec![
            (
                Mark::Line(OPEN, false, Some((Marker::Circle, true))),
                "open".to_string(),
            ),
            (
                Mark::Line(CLOSED, false, Some((Marker::Square, true))),
                "closed".to_string(),
            ),
        ];
        if !compact {
            entries.push((Mark::Line(TOTAL, false, None), "total in scope".to_string()));
        }
        if points.iter().any(|p| p.3 == Source::Reconstructed) {
            let marker = (!compact).then_some((Marker::Circle, false));
            entries.push((
                Mark::Line(SUBTLE, true, marker),
                "reconstructed".to_string(),
            ));
        }
        if projected.is_some() {
            entries.push((
                Mark::Line(PROJECTION, true, None),
                match projection {
                    Some(p) => format!("net pace: done {p}"),
                    None => "net pace: never done".to_string(),
                },
            ));
        }
        if needed.is_some() {
            entries.push((Mark::Line(NEEDED, true, None), "pace needed".to_string()));
        }
        if let Some(d) = due {
            entries.push((Mark::Rule(DUE), format!("due {d}")));
        }
        legend_band(&legend, &entries)?;
        if summary.totals.total == 0 {
            centered_note(&plot, "No alerts in this campaign")?;
        }
        Ok(())
    })
}
