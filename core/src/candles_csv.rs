//! Candle CSV text (`open_time_ms,open,high,low,close,volume`, oldest first) parsed into
//! [`Candle`]s; reading the file is the caller's business.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::market::Candle;

pub const HEADER: &str = "open_time_ms,open,high,low,close,volume";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    #[error("the first line must be the header `{HEADER}`")]
    Header,
    #[error("line {line}: {problem}")]
    Row { line: usize, problem: String },
    #[error("no candles after the header")]
    Empty,
}

/// The CSV text of `candles` (oldest first), header included: what [`parse_candles`] reads.
pub fn format_candles(candles: &[Candle]) -> String {
    let mut text = String::with_capacity(64 * (candles.len() + 1));
    text.push_str(HEADER);
    text.push('\n');
    for c in candles {
        text.push_str(&format!("{},{},{},{},{},{}\n", c.open_time_ms, c.open, c.high, c.low, c.close, c.volume));
    }
    text
}

/// Parses every non-blank line after the header; any bad row is an error naming its line.
pub fn parse_candles(text: &str) -> Result<Vec<Candle>, CsvError> {
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, line)| line.trim().trim_start_matches('\u{feff}'));
    if header != Some(HEADER) {
        return Err(CsvError::Header);
    }
    let mut candles: Vec<Candle> = Vec::new();
    for (index, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let row = |problem: String| CsvError::Row { line: index + 1, problem };
        let candle = parse_row(line).map_err(row)?;
        if let Some(previous) = candles.last() {
            if candle.open_time_ms <= previous.open_time_ms {
                return Err(row("open_time_ms must increase from row to row".into()));
            }
        }
        candles.push(candle);
    }
    if candles.is_empty() {
        return Err(CsvError::Empty);
    }
    Ok(candles)
}

fn parse_row(line: &str) -> Result<Candle, String> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let [time, open, high, low, close, volume] = fields[..] else {
        return Err(format!("expected 6 fields, found {}", fields.len()));
    };
    let open_time_ms = time.parse::<i64>().map_err(|_| format!("open_time_ms `{time}` is not a whole number"))?;
    let candle = Candle {
        open_time_ms,
        open: price("open", open)?,
        high: price("high", high)?,
        low: price("low", low)?,
        close: price("close", close)?,
        volume: number("volume", volume)?,
    };
    if candle.volume < Decimal::ZERO {
        return Err(format!("volume `{volume}` is negative"));
    }
    if candle.low > candle.high {
        return Err(format!("low {low} is above high {high}"));
    }
    Ok(candle)
}

/// The largest price accepted, far above any market and far below where decimal maths overflows.
const MAX_PRICE: Decimal = Decimal::from_parts(0xA4C6_8000, 0x38D7E, 0, false, 0);

fn price(name: &str, text: &str) -> Result<Decimal, String> {
    let value = number(name, text)?;
    if value <= Decimal::ZERO || value > MAX_PRICE {
        return Err(format!("{name} `{text}` must be above 0 and at most 10^15"));
    }
    Ok(value)
}

fn number(name: &str, text: &str) -> Result<Decimal, String> {
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map_err(|_| format!("{name} `{text}` is not a number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "open_time_ms,open,high,low,close,volume\n\
        1000,1.5,2,1,1.75,10\n\
        \n\
        2000,1.75,1.8,1.7,1.8,0\n";

    #[test]
    fn parses_rows_in_order() {
        let candles = parse_candles(GOOD).unwrap();
        assert_eq!(candles.len(), 2);
        assert_eq!(candles[0].close, Decimal::new(175, 2));
        assert_eq!(candles[1].open_time_ms, 2000);
        assert_eq!(MAX_PRICE, Decimal::from(1_000_000_000_000_000i64));
    }

    #[test]
    fn formatted_candles_parse_back() {
        let candles = parse_candles(GOOD).unwrap();
        let text = format_candles(&candles);
        assert!(text.starts_with(HEADER));
        assert_eq!(parse_candles(&text).unwrap(), candles);
    }

    #[test]
    fn names_the_bad_line_and_field() {
        let bad = GOOD.replace("1.8,0", "abc,0");
        let error = parse_candles(&bad).unwrap_err().to_string();
        assert_eq!(error, "line 4: close `abc` is not a number");
        let short = GOOD.replace("1.7,1.8,0", "1.7");
        assert!(parse_candles(&short).unwrap_err().to_string().contains("6 fields"));
        let backwards = GOOD.replace("2000,", "500,");
        assert!(parse_candles(&backwards).unwrap_err().to_string().contains("increase"));
        let negative = GOOD.replace("1.5,2", "-1.5,2");
        assert!(parse_candles(&negative).unwrap_err().to_string().contains("above 0"));
    }

    #[test]
    fn requires_the_header_and_a_row() {
        assert_eq!(parse_candles("time,o,h,l,c,v\n"), Err(CsvError::Header));
        assert_eq!(parse_candles(HEADER), Err(CsvError::Empty));
    }
}
