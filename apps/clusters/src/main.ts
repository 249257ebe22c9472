import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  defaultTopology,
  detachedStateDir,
  ensureKubeBinaries,
  kubeBuildScriptPath,
  loadDetachedClusters,
  processState,
  runDetachedSimulators,
  startDetachedClusters,
  stderrLogger,
  stopDetachedClusters,
  type ClusterPhase,
  type HarnessLogger,
  type LoadBalancerMode,
  type MemberCluster,
} from '#libs/kube-harness';
import { formatFields, table } from './output.js';
import { Spinner } from './spinner.js';

/*
 * `npm run clusters -- up 3 | status | down`: real member clusters on this machine for the demo and
 * manual testing. The clusters and one node-simulator process are detached and outlive this command;
 * their state lives in ${UBERNETES_STATE_DIR:-.ubernetes}/clusters.
 */

const stateDir = detachedStateDir();

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new InvalidArgumentError('expected a whole number from 1 to 20');
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative whole number');
  return n;
}

/** Warnings and errors as readable lines above the spinner. */
function cliLogger(spinner: Spinner): HarnessLogger {
  return (level, message, fields) => {
    if (level === 'warn' || level === 'error') spinner.log(`${level}: ${message} ${formatFields(fields)}`.trimEnd());
  };
}

async function up(count: number, options: { prefix: string; capacity?: number; lb: LoadBalancerMode }): Promise<void> {
  const specs = defaultTopology(count, { prefix: options.prefix, podCapacity: options.capacity, loadBalancer: options.lb });
  const spinner = new Spinner();
  const phases = new Map<string, ClusterPhase | 'waiting'>(specs.map((s) => [s.name, 'waiting']));
  const describe = () => [...phases].map(([name, phase]) => `${name}: ${phase}`).join(', ');
  const interrupt = () => {
    spinner.fail('interrupted; stopping what was started');
    void stopDetachedClusters(stateDir).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  spinner.start(`starting ${count} member cluster${count === 1 ? '' : 's'}`);
  try {
    const { clusters, state } = await startDetachedClusters(specs, {
      stateDir,
      simulatorCommand: [process.execPath, process.argv[1], 'simulate', '--state-dir', stateDir],
      logger: cliLogger(spinner),
      onBuildProgress: (line) => spinner.log(line),
      onProgress: ({ cluster, phase }) => {
        phases.set(cluster, phase === 'ready' ? 'nodes' : phase);
        spinner.update(describe());
      },
    });
    spinner.succeed(`${count} member cluster${count === 1 ? '' : 's'} up`);
    console.log(
      table(
        ['NAME', 'ZONES', 'REGION', 'SERVER', 'KUBECONFIG'],
        clusters.map((c) => [c.name, c.zones.join(','), c.region, c.server, c.kubeconfigPath]),
      ),
    );
    console.log(`\nAll clusters (one context each): ${state.kubeconfigPath}`);
    console.log(`  kubectl --kubeconfig ${state.kubeconfigPath} --context ${clusters[0].name} get nodes`);
    console.log(`Node simulator: pid ${state.simulator?.pid}, log ${state.simulator?.logFile}`);
    console.log('Stop everything with: npm run clusters -- down');
  } catch (error) {
    spinner.fail('member clusters did not start');
    throw error;
  } finally {
    process.off('SIGINT', interrupt);
  }
}

async function status(): Promise<void> {
  const loaded = await loadDetachedClusters(stateDir).catch(() => undefined);
  if (!loaded) {
    console.log(`No member clusters are up (no state in ${stateDir}).`);
    return;
  }
  const rows = await Promise.all(
    loaded.clusters.map(async (c: MemberCluster) => {
      const states = c.processStates();
      const ready = states.apiserver === 'running' ? await c.isReady(2000) : false;
      return [
        c.name,
        c.zones.join(','),
        c.region,
        c.server,
        states.etcd,
        states.apiserver === 'stopped' ? 'stopped (hung)' : states.apiserver,
        states.controllerManager,
        ready ? 'ok' : 'failing',
      ];
    }),
  );
  console.log(table(['NAME', 'ZONES', 'REGION', 'SERVER', 'ETCD', 'APISERVER', 'CONTROLLERS', 'READYZ'], rows));
  const simulator = loaded.state.simulator;
  console.log(`\nNode simulator: ${simulator ? `pid ${simulator.pid} ${processState(simulator.pid)}` : 'not started'}`);
  console.log(`Kubeconfig: ${loaded.state.kubeconfigPath}`);
}

async function down(): Promise<void> {
  const spinner = new Spinner();
  spinner.start('stopping member clusters');
  const stopped = await stopDetachedClusters(stateDir, cliLogger(spinner));
  spinner.succeed(stopped.length ? `stopped ${stopped.join(', ')}; removed ${stateDir}` : 'nothing was up');
}

async function fault(name: string, action: 'hang' | 'resume' | 'kill' | 'restart'): Promise<void> {
  const { clusters } = await loadDetachedClusters(stateDir);
  const cluster = clusters.find((c) => c.name === name);
  if (!cluster) throw new Error(`no member cluster named ${name} (have ${clusters.map((c) => c.name).join(', ')})`);
  await cluster[action]();
  console.log(`${name}: API server ${{ hang: 'hung (SIGSTOP)', resume: 'resumed', kill: 'killed', restart: 'restarted and ready' }[action]}`);
}

async function simulate(options: { stateDir: string }): Promise<void> {
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop.abort());
  await runDetachedSimulators(options.stateDir, stop.signal, stderrLogger('info'));
}

async function binaries(options: { scriptPath?: boolean }): Promise<void> {
  if (options.scriptPath) {
    console.log(kubeBuildScriptPath);
    return;
  }
  const found = await ensureKubeBinaries({ onProgress: (line) => process.stderr.write(`${line}\n`) });
  console.log(found.dir);
}

const program = new Command('clusters')
  .description('Real Kubernetes member clusters on this machine (etcd + kube-apiserver + controllers + node simulator)')
  .showHelpAfterError()
  .exitOverride();

program
  .command('up')
  .description('start N member clusters in the background (default 3) and print their kubeconfigs')
  .argument('[count]', 'number of clusters', positiveInt, 3)
  .option('--prefix <prefix>', 'cluster name prefix', 'member')
  .option('--capacity <pods>', 'pods each cluster can run', nonNegativeInt)
  .addOption(new Option('--lb <mode>', 'load-balancer address style').choices(['ip', 'hostname']).default('ip'))
  .action(up);
program.command('status').description('show processes and /readyz of each cluster').action(status);
program.command('down').description('stop every cluster and the simulator, and remove their state').action(down);
for (const action of ['hang', 'resume', 'kill', 'restart'] as const) {
  const what = {
    hang: 'freeze the API server (SIGSTOP): requests time out',
    resume: 'continue a hung API server (SIGCONT)',
    kill: 'kill the API server (SIGKILL): connections are refused',
    restart: 'start the API server again on its port and data',
  }[action];
  program
    .command(action)
    .description(what)
    .argument('<cluster>', 'cluster name')
    .action((name: string) => fault(name, action));
}
program
  .command('binaries')
  .description('find or build kube-apiserver, etcd and kube-controller-manager; print their folder')
  .option('--script-path', 'print the path of the build script instead')
  .action(binaries);
program
  .command('simulate', { hidden: true })
  .description('run the node simulators of the clusters in --state-dir (started by "up")')
  .requiredOption('--state-dir <dir>', 'state folder')
  .action(simulate);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
