import t from 'tap'
import { Singleflight } from '../../src/cache/singleflight.ts'

t.test('concurrent runs of one key share one call; other keys run on their own', async t => {
  const flights = new Singleflight<string, string>()
  let calls = 0
  const work = (value: string) => async () => {
    calls++
    await new Promise(resolve => setTimeout(resolve, 10))
    return value
  }
  const results = await Promise.all([
    ...Array.from({ length: 5 }, () => flights.run('a', work('first'))),
    flights.run('b', work('other'))
  ])
  t.same(results, ['first', 'first', 'first', 'first', 'first', 'other'])
  t.equal(calls, 2)
  t.notOk(flights.has('a'), 'nothing is kept once settled')
  t.equal(await flights.run('a', work('again')), 'again', 'a later run calls again')
  t.equal(calls, 3)
})

t.test('a failure reaches every waiter and is not kept', async t => {
  const flights = new Singleflight<string, string>()
  const failing = async () => { throw new Error('boom') }
  const waiters = [flights.run('k', failing), flights.run('k', failing)]
  t.ok(flights.has('k'))
  for (const waiter of waiters) await t.rejects(waiter, /boom/)
  t.notOk(flights.has('k'))
})

t.test('a synchronous throw is a rejection, and the key is released', async t => {
  const flights = new Singleflight<string, string>()
  await t.rejects(flights.run('k', () => { throw new Error('sync') }), /sync/)
  t.notOk(flights.has('k'))
})
