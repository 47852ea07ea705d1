/**
 * A list page on SQLite, newest first with the id breaking ties: the page is chosen by rowid
 * first and its rows read whole after, since sorting whole rows (definitions, inputs, results)
 * cost more than the rest of the statement. The rows come back in any order; `newestFirst`
 * puts them in the page's. Its one value after the `where` values is the limit.
 */
export function rowidPageSql(table: string, where: string, timeColumn: string): string {
  return (
    `select \`t\`.* from (select \`rowid\` as \`r\` from \`${table}\` where ${where} order by \`${timeColumn}\` desc, \`id\` desc limit ?) as \`p\` ` +
    `cross join \`${table}\` as \`t\` on \`t\`.\`rowid\` = \`p\`.\`r\``
  );
}

/** The condition of the page after a cursor (its time in ms, then its id, twice the time). */
export const afterCursor = (timeColumn: string) => `(\`${timeColumn}\` < ? or (\`${timeColumn}\` = ? and \`id\` < ?))`;

/** The page's order (rowidPageSql's): the latest `time` first, then the larger id first. */
export function newestFirst<T extends { id: string }>(rows: T[], time: (row: T) => number): T[] {
  return rows.sort((a, b) => time(b) - time(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}
