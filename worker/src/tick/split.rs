//! Splitting a tick's due bots into partitions that each fit one invocation's budget. Bots that
//! share a market stay together (markets linked through multi-symbol bots form one group), so
//! every market is fetched by exactly one partition; groups are packed in order up to the budget.

use std::collections::HashMap;

/// What one invocation may take on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub bots: usize,
    pub markets: usize,
}

/// A due bot as the splitter sees it: its id and the markets (any stable keys) it trades.
#[derive(Debug, Clone)]
pub struct DueBot {
    pub id: String,
    pub markets: Vec<String>,
}

/// One group: bots linked by shared markets, and those markets.
#[derive(Default)]
struct Group {
    bots: Vec<String>,
    markets: Vec<String>,
}

/// Partitions of bot ids, in the order the bots came. A group larger than the budget is a
/// partition of its own, cut into budget-sized pieces only when a single market has more bots
/// than the budget (those pieces then share that market).
pub fn split(bots: &[DueBot], budget: Budget) -> Vec<Vec<String>> {
    let budget = Budget { bots: budget.bots.max(1), markets: budget.markets.max(1) };
    let mut partitions: Vec<Group> = Vec::new();
    for group in groups(bots) {
        if group.bots.len() > budget.bots {
            partitions.extend(
                group
                    .bots
                    .chunks(budget.bots)
                    .map(|chunk| Group { bots: chunk.to_vec(), markets: group.markets.clone() }),
            );
            continue;
        }
        let fits = partitions.last().is_some_and(|last| {
            last.bots.len() + group.bots.len() <= budget.bots
                && last.markets.len() + group.markets.len() <= budget.markets
        });
        match partitions.last_mut() {
            Some(last) if fits => {
                last.bots.extend(group.bots);
                last.markets.extend(group.markets);
            }
            _ => partitions.push(group),
        }
    }
    partitions.into_iter().map(|p| p.bots).collect()
}

/// Connected groups of bots and markets (union-find over markets), in first-seen order.
fn groups(bots: &[DueBot]) -> Vec<Group> {
    let mut parent: Vec<usize> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    // Each bot is a node too, so a bot without markets still forms a group.
    let mut bot_nodes = Vec::with_capacity(bots.len());
    for bot in bots {
        let node = parent.len();
        parent.push(node);
        bot_nodes.push(node);
        for market in &bot.markets {
            let m = *index.entry(market.as_str()).or_insert_with(|| {
                parent.push(parent.len());
                parent.len() - 1
            });
            let (a, b) = (root(&mut parent, node), root(&mut parent, m));
            if a != b {
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let mut order: Vec<usize> = Vec::new();
    let mut by_root: HashMap<usize, Group> = HashMap::new();
    for (bot, node) in bots.iter().zip(bot_nodes) {
        let r = root(&mut parent, node);
        let group = by_root.entry(r).or_insert_with(|| {
            order.push(r);
            Group::default()
        });
        group.bots.push(bot.id.clone());
    }
    let mut markets: Vec<(&str, usize)> = index.into_iter().collect();
    markets.sort_by_key(|(_, i)| *i);
    for (market, m) in markets {
        let r = root(&mut parent, m);
        if let Some(group) = by_root.get_mut(&r) {
            group.markets.push(market.to_string());
        }
    }
    order.into_iter().filter_map(|r| by_root.remove(&r)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bot(id: &str, markets: &[&str]) -> DueBot {
        DueBot { id: id.into(), markets: markets.iter().map(|m| m.to_string()).collect() }
    }

    fn markets_of<'a>(bots: &'a [DueBot], partition: &[String]) -> Vec<&'a str> {
        let mut markets: Vec<&str> = bots
            .iter()
            .filter(|b| partition.contains(&b.id))
            .flat_map(|b| b.markets.iter().map(String::as_str))
            .collect();
        markets.sort();
        markets.dedup();
        markets
    }

    #[test]
    fn every_bot_once_and_every_market_in_one_partition() {
        let bots: Vec<DueBot> = (0..50)
            .map(|i| {
                let a = format!("M{}", i % 7);
                let b = format!("M{}", (i * 3) % 11 + 7);
                if i % 5 == 0 {
                    bot(&format!("b{i}"), &[&a, &b])
                } else {
                    bot(&format!("b{i}"), &[&a])
                }
            })
            .collect();
        let parts = split(&bots, Budget { bots: 8, markets: 100 });
        let mut seen: Vec<&String> = parts.iter().flatten().collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 50);
        assert_eq!(parts.iter().map(Vec::len).sum::<usize>(), 50);
        for (i, a) in parts.iter().enumerate() {
            for b in &parts[i + 1..] {
                let (ma, mb) = (markets_of(&bots, a), markets_of(&bots, b));
                let shared: Vec<_> = ma.iter().filter(|m| mb.contains(m)).collect();
                let oversize = a.len() == 8 || b.len() == 8;
                assert!(shared.is_empty() || oversize, "{shared:?} in {a:?} and {b:?}");
            }
        }
    }

    #[test]
    fn small_groups_are_packed_up_to_the_bot_and_market_budgets() {
        let bots: Vec<DueBot> = (0..12).map(|i| bot(&format!("b{i}"), &[&format!("M{}", i / 2)])).collect();
        let parts = split(&bots, Budget { bots: 4, markets: 100 });
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|p| p.len() == 4));
        let parts = split(&bots, Budget { bots: 100, markets: 3 });
        assert_eq!(parts.iter().map(Vec::len).collect::<Vec<_>>(), [6, 6]);
        assert_eq!(split(&bots, Budget { bots: 100, markets: 100 }).len(), 1);
    }

    #[test]
    fn a_market_busier_than_the_budget_is_cut_and_bots_without_markets_still_run() {
        let mut bots: Vec<DueBot> = (0..5).map(|i| bot(&format!("b{i}"), &["HOT"])).collect();
        bots.push(bot("broken", &[]));
        let parts = split(&bots, Budget { bots: 2, markets: 10 });
        assert_eq!(parts, [vec!["b0", "b1"], vec!["b2", "b3"], vec!["b4", "broken"]]);
        assert!(split(&[], Budget { bots: 2, markets: 2 }).is_empty());
    }
}
