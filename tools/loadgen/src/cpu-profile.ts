/**
 * Summary of a V8 CPU profile (`node --cpu-prof` writes .cpuprofile JSON): self time by
 * function and by package, so the docs can say where the time goes. Pure.
 */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
    hitCount?: number;
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface FrameTime {
  frame: string;
  selfMs: number;
  /** Share of the profile's sampled time (idle included). */
  share: number;
}

export interface ProfileSummary {
  durationMs: number;
  /** Time not spent idle (program + GC + JS). */
  busyMs: number;
  topFunctions: FrameTime[];
  byPackage: FrameTime[];
  /**
   * By package again, but node's internals and native frames (socket writes, crypto, …)
   * charged to the nearest calling package: which library the system calls are made for.
   */
  byCallingPackage: FrameTime[];
}

const INTERNAL = new Set(['node: (internals)', '(native)']);

/** Where a script lives: the npm package, a workspace package, node's internals, or V8's pseudo-frames. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node: (internals)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const workspace = /\/(packages|plugins|apps|tools)\/([^/]+)\//.exec(url);
  if (workspace) return `${workspace[1]}/${workspace[2]}`;
  return url;
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const workspace = /\/((?:packages|plugins|apps|tools)\/.*)$/.exec(url);
  return workspace ? workspace[1]! : url.replace(/^file:\/\//, '');
}

export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // Self time per node: each sample's delta belongs to the node it hit.
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  if (samples.length > 0 && deltas.length === samples.length) {
    for (let i = 0; i < samples.length; i++) {
      // timeDeltas[i] is the time before sample i; attribute the next interval to sample i.
      const us = deltas[i + 1] ?? deltas[i] ?? 0;
      self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + us);
    }
  } else {
    const total = profile.endTime - profile.startTime;
    const hits = profile.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0) || 1;
    for (const n of profile.nodes) self.set(n.id, ((n.hitCount ?? 0) * total) / hits);
  }
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owners = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const known = owners.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    let owner = node ? packageOf(node.callFrame.url, node.callFrame.functionName) : '(native)';
    const up = parent.get(id);
    if (INTERNAL.has(owner) && up !== undefined) {
      const above = ownerOf(up);
      if (above !== '(root)') owner = above;
    }
    owners.set(id, owner);
    return owner;
  };
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  const callers = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    totalUs += us;
    if (functionName === '(idle)') idleUs += us;
    const frame = url
      ? `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`
      : functionName || '(anonymous)';
    functions.set(frame, (functions.get(frame) ?? 0) + us);
    const pkg = packageOf(url, functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
    const caller = ownerOf(id);
    callers.set(caller, (callers.get(caller) ?? 0) + us);
  }
  const rank = (m: Map<string, number>, n: number): FrameTime[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([frame, us]) => ({ frame, selfMs: us / 1000, share: totalUs ? us / totalUs : 0 }));
  return {
    durationMs: totalUs / 1000,
    busyMs: (totalUs - idleUs) / 1000,
    topFunctions: rank(functions, top),
    byPackage: rank(packages, top),
    byCallingPackage: rank(callers, top),
  };
}

/** A markdown table of a summary's rows. */
export function profileTable(rows: FrameTime[], heading = 'function'): string {
  return [
    `| ${heading} | self ms | share |`,
    '| --- | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| \`${r.frame.replace(/\|/g, '\\|')}\` | ${r.selfMs.toFixed(0)} | ${(r.share * 100).toFixed(1)} % |`,
    ),
  ].join('\n');
}
