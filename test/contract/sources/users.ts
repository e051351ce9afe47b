/**
 * The logical users every format's fixture holds (test/fixtures/sources/users.*), chosen to trip
 * a boundary scanner: delimiters, quotes, newlines (LF and CRLF) and brackets inside values,
 * backslashes, and multi-byte UTF-8. Every value is a non-empty string, as a CSV record holds.
 */
export const users: Record<string, string>[] = [
  { email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace', note: 'plain' },
  { email: 'grace@example.com', first_name: 'Grace', last_name: 'Hopper', note: 'Comma, Inc.' },
  { email: 'alan@example.com', first_name: 'Alan', last_name: 'Turing', note: 'She said "hi", twice ""' },
  { email: 'edsger@example.com', first_name: 'Edsger', last_name: 'Dijkstra', note: 'line one\nline two\n' },
  { email: 'zoe@example.com', first_name: 'Zoë', last_name: 'Ünïcødé 日本', note: 'emoji 😀 ok' },
  { email: 'barbara@example.com', first_name: 'Barbara', last_name: 'Liskov', note: '{[not json]}, "]},{" and C:\\path\\' },
  { email: 'ken@example.com', first_name: 'Ken', last_name: 'Thompson', note: 'crlf\r\ninside' },
  { email: 'dennis@example.com', first_name: 'Dennis', last_name: 'Ritchie', note: '\\"' },
];

export const columns = ['email', 'first_name', 'last_name', 'note'];
