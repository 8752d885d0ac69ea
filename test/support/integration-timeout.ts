// Integration tests drive real engines and whole workflows; their steps take seconds, not milliseconds.
jest.setTimeout(300_000);
