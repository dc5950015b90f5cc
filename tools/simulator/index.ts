// The simulator's public surface, for tests, benchmarks and the demo.
export * from './conventions';
export * from './exporter';
export * from './model';
export * from './openmetrics';
export * from './samples';
export * from './random';
export * from './routes';
export * from './scenarios';
export * from './series';
export * from './otlp';
export * from './tsdbStream';
