import { clustersInZone, zonesDown } from './failover-decisions.js';

const c = (name: string, ready: boolean, ...zones: string[]) => ({ name, ready, zones });

describe('zone-down detection: a zone is down when every cluster in it is NotReady', () => {
  it.each([
    ['all Ready', [c('m1', true, 'us-east-1a'), c('m2', true, 'us-east-1a'), c('m3', true, 'eu-west-1a')], []],
    ['one of two clusters of a zone down: zone up', [c('m1', false, 'us-east-1a'), c('m2', true, 'us-east-1a'), c('m3', true, 'eu-west-1a')], []],
    ['both clusters of us-east-1a down', [c('m1', false, 'us-east-1a'), c('m2', false, 'us-east-1a'), c('m3', true, 'eu-west-1a')], ['us-east-1a']],
    ['single-cluster zone down', [c('m1', true, 'us-east-1a'), c('m3', false, 'eu-west-1a')], ['eu-west-1a']],
    ['everything down, sorted', [c('m3', false, 'eu-west-1a'), c('m1', false, 'us-east-1a')], ['eu-west-1a', 'us-east-1a']],
    [
      'a multi-zone cluster keeps each of its zones up',
      [c('big', true, 'us-east-1a', 'us-east-1b'), c('m2', false, 'us-east-1b'), c('m3', false, 'eu-west-1a')],
      ['eu-west-1a'],
    ],
    ['a cluster without zones affects none', [c('nozone', false)], []],
  ])('%s', (_name, clusters, expected) => {
    expect(zonesDown(clusters)).toEqual(expected);
  });

  it('lists the clusters of a zone by name', () => {
    expect(clustersInZone([c('m2', true, 'z'), c('m1', false, 'z'), c('m3', true, 'y')], 'z')).toEqual(['m1', 'm2']);
  });
});
