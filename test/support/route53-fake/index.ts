export * from './route53-fake.js';
