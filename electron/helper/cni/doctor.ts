// Doctor's CNI lines: each plugin the lab and the Docker comparison use, where it is, and the spec
// versions it speaks (its own answer to CNI_COMMAND=VERSION).
import type { DoctorCheck } from '../../shared/contract/index.js';
import { run } from '../exec/run.js';
import { CORE_PLUGINS, DEFAULT_PLUGIN_DIRS, findPlugin, INSTALL_HINT, pluginInfo } from './plugins.js';

/** Debian builds the plugins without a version stamp ("version unknown"): the package says which release. */
async function packageVersion(): Promise<string | null> {
  try {
    const r = await run(['dpkg-query', '-W', '-f', '${Version}', 'containernetworking-plugins'], { allowFailure: true, timeoutMs: 5000 });
    return r.code === 0 && r.stdout.trim() ? r.stdout.trim() : null;
  } catch {
    return null; // not a Debian system
  }
}

export async function cniDoctorChecks(): Promise<DoctorCheck[]> {
  const [pkg, ...infos] = await Promise.all([packageVersion(), ...CORE_PLUGINS.map((p) => pluginInfo(p, findPlugin(p, DEFAULT_PLUGIN_DIRS)))] as const);
  return infos.map((info): DoctorCheck => {
    const base = { id: `cni.${info.plugin}`, title: `CNI plugin ${info.plugin}`, essential: false };
    if (info.path === null) {
      return { ...base, status: 'warn', detail: `not installed (looked in ${DEFAULT_PLUGIN_DIRS.join(', ')})`, reason: 'the cni-plugins lab and `nslab cni` run the real plugins', fix: INSTALL_HINT };
    }
    if (!info.supportedVersions.includes('1.0.0')) {
      return { ...base, status: 'warn', detail: `${info.path}: CNI versions ${info.supportedVersions.join(', ') || 'none reported'}`, reason: 'nslab speaks CNI 1.0.0; this plugin does not', fix: INSTALL_HINT };
    }
    const about = info.about && !/version unknown/.test(info.about) ? `; ${info.about}` : pkg ? `; package containernetworking-plugins ${pkg}` : '';
    return { ...base, status: 'ok', detail: `${info.path}; CNI versions ${info.supportedVersions.join(', ')}${about}` };
  });
}
